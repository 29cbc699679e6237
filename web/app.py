"""The dashboard's routes, mounted on the service's HTTP server (``nhacviec.http``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from core.repositories import UnitOfWorkFactory
from core.usecases.rules import Rules
from web.calendar import CalendarPages
from web.notices import NoticePages
from web.pages import Dashboard
from web.people import PeoplePages
from web.plans import PlanPages
from web.session import Cookies

STATIC = Path(__file__).resolve().parent / "static"


def dashboard_routes(
    uows: UnitOfWorkFactory,
    rules: Rules,
    secret: str,
    secure: bool = False,
    queued: Callable[[], None] = lambda: None,
    invite_link: Callable[[str], str | None] = lambda code: None,
) -> list[BaseRoute]:
    """``queued`` is called after a page has written outbox rows (the service's sender drains at once)."""
    d = Dashboard(uows, rules, Cookies(secret, secure))
    notices, plans, people, calendar = (
        NoticePages(d, queued),
        PlanPages(d),
        PeoplePages(d, invite_link),
        CalendarPages(d),
    )
    return [
        Route("/can-bo", people.page, methods=["GET"]),
        Route("/can-bo/moi", people.invite, methods=["POST"]),
        Route("/can-bo/ngung", people.deactivate, methods=["POST"]),
        Route("/lich", calendar.page, methods=["GET"]),
        Route("/lich/doi", calendar.change, methods=["POST"]),
        Route("/ke-hoach", plans.page, methods=["GET"]),
        Route("/ke-hoach/kiem-tra", plans.check, methods=["POST"]),
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
