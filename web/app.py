"""The dashboard's routes, mounted on the service's HTTP server (``nhacviec.http``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from core.repositories import UnitOfWorkFactory
from core.usecases.rules import Rules
from web.notices import NoticePages
from web.pages import Dashboard
from web.session import Cookies

STATIC = Path(__file__).resolve().parent / "static"


def dashboard_routes(
    uows: UnitOfWorkFactory,
    rules: Rules,
    secret: str,
    secure: bool = False,
    queued: Callable[[], None] = lambda: None,
) -> list[BaseRoute]:
    """``queued`` is called after a page has written outbox rows (the service's sender drains at once)."""
    d = Dashboard(uows, rules, Cookies(secret, secure))
    notices = NoticePages(d, queued)
    return [
        Route("/thong-bao", notices.list_page, methods=["GET"]),
        Route("/thong-bao/xem-truoc", notices.preview, methods=["POST"]),
        Route("/thong-bao/gui", notices.send, methods=["POST"]),
        Route("/", d.matrix_page, methods=["GET"]),
        Route("/o/{period_id}/{agency}", d.cell_page, methods=["GET"]),
        Route("/xu-huong", d.trends_page, methods=["GET"]),
        Route("/xuat", d.export_file, methods=["GET"]),
        Route("/dang-nhap", d.sign_in, methods=["GET"]),
        Route("/dang-xuat", d.sign_out, methods=["POST"]),
        Route("/da-dang-xuat", d.signed_out, methods=["GET"]),
        Route("/ngon-ngu", d.switch_language, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
