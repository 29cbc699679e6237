"""The dashboard's routes, mounted on the service's HTTP server (``nhacviec.http``): every page with who may open
it, in one table (``pages``); ``web.guard`` checks sign-in, role, CSRF and body size before a handler runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from core.deadlines import utcnow
from core.repositories import UnitOfWorkFactory
from core.usecases.rules import Rules
from web.adhoc import AdhocPages
from web.calendar import CalendarPages
from web.drafts import MAX_DOCUMENT_UPLOAD, MAX_DRAFT_FIELDS, MAX_DRAFT_FORM, DraftPages
from web.files import FilePages, max_upload
from web.guard import Access, Guard, Page
from web.notices import NoticePages
from web.pages import Dashboard
from web.people import PeoplePages
from web.plans import MAX_UPLOAD, PlanPages
from web.session import Cookies

STATIC = Path(__file__).resolve().parent / "static"
ANYONE, SIGNED_IN, ADMIN = Access.ANYONE, Access.SIGNED_IN, Access.ADMIN


def pages(
    d: Dashboard,
    queued: Callable[[], None] = lambda: None,
    invite_link: Callable[[str], str | None] = lambda code: None,
) -> list[Page]:
    """Every page of the dashboard and who may open it."""
    notices, plans, people, calendar, adhoc = (
        NoticePages(d, queued),
        PlanPages(d),
        PeoplePages(d, invite_link),
        CalendarPages(d),
        AdhocPages(d, queued),
    )
    drafts, files = DraftPages(d, plans), FilePages(d)
    return [
        Page("GET", "/", d.matrix_page, SIGNED_IN),
        Page("GET", "/o/{period_id}/{agency}", d.cell_page, SIGNED_IN),  # another agency's cell: 403 (use-case)
        # The report file on the cell: one's own agency's, or any for an admin (the use-case decides: 403).
        Page("POST", "/o/{period_id}/{agency}/tep", files.upload, SIGNED_IN, max_body=max_upload(d)),
        Page("GET", "/tep/{file_id}", files.download, SIGNED_IN),
        Page("GET", "/xu-huong", d.trends_page, SIGNED_IN),
        Page("GET", "/tuan-nay", d.week_page, ADMIN),
        Page("GET", "/xuat", d.export_file, ADMIN),
        Page("GET", "/ky/{period_id}", d.period_page, ADMIN),  # a period's file on one page
        Page("GET", "/ho-so/{period_id}/{document}", d.period_file, ADMIN),  # a period's sheet, files and drafts
        Page("GET", "/can-bo", people.page, SIGNED_IN),  # an admin sees everyone, others their own agency
        Page("POST", "/can-bo/moi", people.invite, ADMIN),
        Page("POST", "/can-bo/moi-nhom", people.invite_group, ADMIN),
        Page("POST", "/can-bo/ngung", people.deactivate, ADMIN),
        Page("POST", "/can-bo/xoa-du-lieu", people.erase, ADMIN),
        Page("GET", "/lich", calendar.page, SIGNED_IN),
        Page("POST", "/lich/doi", calendar.change, ADMIN),
        Page("GET", "/ke-hoach", plans.page, ADMIN),
        Page("POST", "/ke-hoach/kiem-tra", plans.check, ADMIN, max_body=MAX_UPLOAD),
        Page("POST", "/ke-hoach/van-ban", drafts.upload, ADMIN, max_body=MAX_DOCUMENT_UPLOAD),
        Page("GET", "/ke-hoach/ban-nhap/{id}", drafts.review, ADMIN),
        Page("POST", "/ke-hoach/ban-nhap/{id}", drafts.change, ADMIN, MAX_DRAFT_FORM, MAX_DRAFT_FIELDS),
        Page("GET", "/ke-hoach/ban-nhap/{id}/van-ban", drafts.document, ADMIN),
        Page("GET", "/ke-hoach/so/{id}", drafts.plan, ADMIN),
        Page("POST", "/ke-hoach/so/{id}/sua", drafts.edit, ADMIN),
        Page("GET", "/dot-xuat", adhoc.page, ADMIN),
        Page("POST", "/dot-xuat/xem-truoc", adhoc.preview, ADMIN),
        Page("POST", "/dot-xuat/gui", adhoc.send, ADMIN),
        Page("GET", "/thong-bao", notices.list_page, ADMIN),
        Page("POST", "/thong-bao/xem-truoc", notices.preview, ADMIN),
        Page("POST", "/thong-bao/gui", notices.send, ADMIN),
        Page("GET", "/dang-nhap", d.sign_in, ANYONE),
        Page("POST", "/dang-xuat", d.sign_out, SIGNED_IN),
        Page("GET", "/da-dang-xuat", d.signed_out, ANYONE),
        Page("POST", "/ngon-ngu", d.switch_language, SIGNED_IN),
    ]


def dashboard_routes(
    uows: UnitOfWorkFactory,
    rules: Rules,
    secret: str,
    secure: bool = False,
    queued: Callable[[], None] = lambda: None,
    invite_link: Callable[[str], str | None] = lambda code: None,
    clock: Callable[[], datetime] = utcnow,
    zalo_quota: int = 3000,
) -> list[BaseRoute]:
    """``queued`` is called after a page has written outbox rows (the service's sender drains at once); ``clock``
    is the instant the matrix is judged at (`nhacviec demo` gives its simulated one); ``zalo_quota`` the monthly
    allowance the message forecast is held to."""
    cookies = Cookies(secret, secure)
    d = Dashboard(rules, cookies, clock, zalo_quota=zalo_quota)
    guard = Guard(uows, cookies, d.refuse)
    routes: list[BaseRoute] = [
        Route(p.path, guard.endpoint(p), methods=[p.method]) for p in pages(d, queued, invite_link)
    ]
    return [*routes, Mount("/static", StaticFiles(directory=STATIC), name="static")]
