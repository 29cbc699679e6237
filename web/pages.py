"""The dashboard's rendering and its reading pages: the matrix, a cell's detail, trends, the Excel export, and
signing in and out. Each handler calls one use-case on the request's unit of work and renders a template; who
may open a page is declared with its route (``web.app``), and checked by ``web.guard`` before the handler runs.

Sign-in: ``/dang-nhap?t=TOKEN[&next=/path]`` (the one-time link from /web or `nhacviec login-link`) sets the
session cookie and redirects to ``next`` when it is a path of this site, else to ``/`` (no token in the address
any more).
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import IO, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from compiler import documents
from core import export
from core.deadlines import to_vn, utcnow
from core.errors import AgencyUnknown, LinkRefused, NotAllowed, PeriodUnknown, SignInThrottled
from core.i18n import format_day, format_instant, gettext_for
from core.messages import column_label, last_day, short_day
from core.standing import due_within, judge
from core.types import AgencyKind, AgencyPeriod, Role, Standing
from core.usecases import compiling, matrix, overview, plan, quota, reminders, report_files, web_access
from core.usecases.rules import Rules, effective_rules, for_agency
from core.usecases.web_access import Viewer
from web.charts import rate_chart
from web.guard import Seen, bounded, same_site
from web.labels import LABELS
from web.session import LANG_COOKIE, Cookies, language
from web.shared import Shared

TEMPLATES = Path(__file__).resolve().parent / "templates"
NEXT_DAYS = timedelta(days=30)  # a focal person's home: the agency's reports due within this
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A period's documents by the name the dashboard links them with (the CLI's `compile` writes the same three)
PERIOD_FILES: dict[str, tuple[Callable[[compiling.Compiled], bytes], str]] = {
    "bang-tong-hop.xlsx": (documents.compilation_sheet, XLSX),
    "du-thao-bao-cao.docx": (documents.report_draft, DOCX),
    "du-thao-cong-van-don-doc.docx": (documents.chasing_letter, DOCX),
}


ZIP_NAME = "cac-tep-bao-cao.zip"  # the period's report files, as the CLI names them too


async def _pieces(spool: IO[bytes], size: int = 256 * 1024) -> AsyncIterator[bytes]:
    try:
        while piece := spool.read(size):
            yield piece
    finally:
        spool.close()


@dataclass
class Dashboard:
    rules: Rules
    cookies: Cookies
    # The instant the matrix, the trends and a cell are judged at: the real time, but for `nhacviec demo`'s clock.
    clock: Callable[[], datetime] = utcnow
    # The matrices being looked at, shared by everyone asking for the same one (web.shared).
    matrices: Shared[matrix.Matrix] = field(default_factory=Shared)
    bodies: Shared[Markup] = field(default_factory=Shared)
    zalo_quota: int = 3000  # ZALO_MONTHLY_QUOTA: the "Tuần này" page warns of a month that would exceed it

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
        )

    # ------------------------------------------------------------------ rendering

    def render(
        self, request: Request, viewer: Viewer | None, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        html = self.env.get_template(template).render(**self._context(request, viewer, context))
        return HTMLResponse(html, status_code=status)

    async def show_aside(self, s: Seen, template: str, **context: Any) -> HTMLResponse:
        """``show`` for the pages that grow with a province (the matrix, the trends): rendered in a worker thread,
        so the event loop goes on serving /healthz, the webhooks and the sender meanwhile (issue 24, finding 4)."""
        page = self.env.get_template(template)
        html = await asyncio.to_thread(page.render, **self._context(s.request, s.viewer, context))
        return HTMLResponse(html)

    def _context(self, request: Request, viewer: Viewer | None, context: dict[str, Any]) -> dict[str, Any]:
        lang = language(request, viewer)
        tr = gettext_for(lang)
        return dict(
            _=tr.gettext,
            label=lambda value: tr.gettext(LABELS[value]) if value in LABELS else value,
            lang=lang,
            viewer=viewer,
            is_admin=viewer is not None and viewer.account.role is Role.ADMIN,
            csrf=viewer.csrf if viewer else "",
            partial=request.headers.get("HX-Request") == "true",
            here=request.url.path,
            day=lambda d: short_day(to_vn(d).date()) if d else "",
            weekday=lambda d: format_day(d, lang) if d else "",  # "thứ Sáu, 18/12/2026"
            column=column_label,  # "Quý I/2026"
            plain=short_day,  # a calendar day: "12/5/2027"
            moment=lambda d: format_instant(d, lang) if d else "",  # "17:17 thứ Hai, 14/12/2026": with its weekday
            **context,
        )

    def show(self, s: Seen, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return self.render(s.request, s.viewer, template, status, **context)

    def refuse(self, request: Request, viewer: Viewer | None, status: int, message: str) -> HTMLResponse:
        return self.render(request, viewer, "refused.html", status, message=message)

    def say(self, s: Seen, status: int, message: str) -> HTMLResponse:
        """A page with one sentence (a refusal, or "you are signed out")."""
        return self.refuse(s.request, s.viewer, status, message)

    # ------------------------------------------------------------------ sign-in

    async def sign_in(self, s: Seen) -> Response:
        address = s.request.client.host if s.request.client else ""
        try:
            session = await web_access.sign_in(s.uow, s.request.query_params.get("t", ""), utcnow(), address)
            await s.uow.commit()
        except SignInThrottled as exc:
            wait = s.t("Too many refused sign-in links. Please try again in %(n)s minutes.") % {"n": str(exc)}
            return self.say(s, 429, wait)
        except LinkRefused:
            await s.uow.commit()  # the refusal is counted, for the throttle
            return self.say(
                s, 403, s.t("This sign-in link has been used or has expired. Type /web to the bot for a new one.")
            )
        response = RedirectResponse(same_site(s.request.query_params.get("next")), status_code=303)
        self.cookies.set(response, session)
        return response

    async def sign_out(self, s: Seen) -> Response:
        if s.form.get("everywhere"):
            await web_access.sign_out_everywhere(s.uow, s.me, utcnow())
        else:
            await web_access.sign_out(s.uow, self.cookies.token(s.request) or "", utcnow())
        await s.uow.commit()
        response = RedirectResponse("/da-dang-xuat", status_code=303)
        self.cookies.clear(response)
        return response

    async def signed_out(self, s: Seen) -> Response:
        return self.say(s, 200, s.t("You are signed out."))

    async def switch_language(self, s: Seen) -> Response:
        lang = "en" if s.form.get("lang") == "en" else "vi"
        response = RedirectResponse(same_site(s.form.get("back")), status_code=303)
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax", secure=self.cookies.secure
        )
        return response

    # ------------------------------------------------------------------ pages

    async def matrix_page(self, s: Seen) -> Response:
        q = s.request.query_params
        kind = AgencyKind(q["kind"]) if q.get("kind") in {k.value for k in AgencyKind} else None
        page = bounded(q.get("trang", "1")) or 1
        now = self.clock().replace(second=0, microsecond=0)  # judged by the minute, so the minute's askers share it
        plan, series = q.get("plan") or None, q.get("series") or None
        actor = s.me.actor
        scope = "all" if actor.role is Role.ADMIN else actor.agency_id
        key = (await s.uow.periods.version(), now, plan, series, kind, page, scope)
        await s.uow.commit()  # the connection goes back to the pool while this request waits or renders

        async def compute() -> matrix.Matrix:
            found = await matrix.matrix(s.uow, actor, self.rules, now, plan, series, kind, page)
            await s.uow.commit()
            return found

        async def render() -> Markup:
            found = await self.matrices.get(key, compute)
            body = self.env.get_template("_matrix_body.html")
            context = self._context(
                s.request,
                s.viewer,
                dict(m=found, kinds=list(AgencyKind), chosen_kind=kind, series=series, page_rows=matrix.PAGE_ROWS),
            )
            return Markup(await asyncio.to_thread(body.render, **context))

        # The table is the same for everyone of one scope and language: rendered once, the page around it per person.
        body = await self.bodies.get((key, s.lang), render)
        ahead = None
        if actor.role is not Role.ADMIN and actor.agency_id is not None:  # a focal person's or leader's home
            ahead = await self._next_days(s, actor.agency_id, now)
        return self.show(s, "matrix.html", body=body, ahead=ahead)

    async def _next_days(self, s: Seen, agency_id: int, now: datetime) -> list[tuple[AgencyPeriod, str, Standing]]:
        """The agency's next 30 days across the plans in force, and what it has not sent yet: (period, its last day
        as a list says it, its standing's label)."""
        deadlines = (await effective_rules(s.uow, self.rules)).deadlines
        found = await plan.deadlines(s.uow, agency_id, now, deadlines)
        out: list[tuple[AgencyPeriod, str, Standing]] = []
        until = to_vn(now + NEXT_DAYS).date()
        for p in found:
            if not due_within(p.period.due_at, deadlines, date.min, until):  # overdue ones stay: they are owed
                continue
            verdict = judge(p.period.due_at, p.submitted_at, deadlines, now)
            out.append((p, last_day(s.lang, p.period.due_at, deadlines.extended_to(p.period.due_at)), verdict.standing))
        return out

    async def cell_page(self, s: Seen) -> Response:
        try:
            period_id = bounded(s.request.path_params["period_id"])
            if period_id is None:
                raise PeriodUnknown(str(s.request.path_params["period_id"])[:20])
            detail = await matrix.cell_detail(
                s.uow, s.me.actor, self.rules, period_id, s.request.path_params["agency"], self.clock()
            )
        except NotAllowed:
            return self.say(s, 403, s.t("You may see your own agency only."))
        except (ValueError, PeriodUnknown, AgencyUnknown):
            return self.say(s, 404, s.t("There is no such agency or period."))
        may_send = for_agency(s.me.actor, detail.agency.id)
        return self.show(s, "cell.html", d=detail, may_send=may_send, limit_mb=self.rules.file_limit_mb)

    async def trends_page(self, s: Seen) -> Response:
        found = await matrix.matrix(s.uow, s.me.actor, self.rules, self.clock(), s.request.query_params.get("plan"))
        chart = rate_chart(
            [column_label(c.period.label) for c in found.columns],
            [c.on_time_rate for c in found.columns],
            s.t("On-time rate per period"),
        )
        return await self.show_aside(s, "trends.html", m=found, chart=Markup(chart))

    async def week_page(self, s: Seen) -> Response:
        """Tuần này: Sở Nội vụ's week across every plan (the periods due, their counts, the agencies overdue)."""
        now = self.clock()
        monday, sunday, found = await overview.week(s.uow, s.me.actor, now, self.rules)
        months = []  # this month's and next month's messages per app, and a warning when Zalo's exceed the quota
        first = to_vn(now).date().replace(day=1)
        for _ in range(2):
            following = (first + timedelta(days=32)).replace(day=1)
            expected = await reminders.forecast(s.uow, self.rules, first, following - timedelta(days=1))
            zalo = expected.by_platform.get("zalo", 0)
            months.append((first, expected, quota.over_forecast(s.lang, expected.month, zalo, self.zalo_quota)))
            first = following
        return self.show(s, "week.html", monday=monday, sunday=sunday, periods=found, months=months)

    async def period_page(self, s: Seen) -> Response:
        """A period's file on one page: every owing agency in the office's order with its standing, number, file
        and who confirmed it, and the four documents."""
        period_id = bounded(s.request.path_params["period_id"])
        try:
            if period_id is None:
                raise PeriodUnknown(str(s.request.path_params["period_id"])[:20])
            made = await compiling.compile_period(s.uow, s.me.actor, period_id, self.clock(), self.rules)
        except PeriodUnknown:
            return self.say(s, 404, s.t("There is no such agency or period."))
        rows = [
            (n, j, matrix.Cell(matrix.CellState(j.standing.value), j.verdict.days), made.detail(j))
            for n, j in enumerate(made.tally.rows, start=1)
        ]
        return self.show(s, "period.html", c=made, rows=rows)

    async def period_file(self, s: Seen) -> Response:
        """A period's document (``compiler``): the compilation sheet, the report files in one .zip, the drafts of the
        report and of the letter."""
        document = s.request.path_params["document"]
        made_as = PERIOD_FILES.get(document)
        period_id = bounded(s.request.path_params["period_id"])
        if (made_as is None and document != ZIP_NAME) or period_id is None:
            return self.say(s, 404, s.t("There is no such agency or period."))
        try:
            made = await compiling.compile_period(s.uow, s.me.actor, period_id, self.clock(), self.rules)
        except PeriodUnknown:
            return self.say(s, 404, s.t("There is no such agency or period."))
        p = made.period
        name = re.sub(r"[^\w.-]+", "-", f"{p.plan_number}_{p.series_code}_{p.key}_{document}")
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if made_as is None:  # the files: written to a spooled file (on disk past 32 MB), sent in pieces
            spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 (closed by the stream)
            await documents.period_zip(made, partial(report_files.content, s.uow, s.me.actor), spool)
            spool.seek(0)
            return StreamingResponse(_pieces(spool), media_type="application/zip", headers=headers)
        write, media = made_as
        return Response(write(made), media_type=media, headers=headers)

    async def export_file(self, s: Seen) -> Response:
        now = self.clock()
        rows = await overview.export_rows(s.uow, s.me.actor, None, now, self.rules)
        data = export.compliance_workbook(rows, now)
        name = f"tong-hop-bao-cao-{to_vn(now):%Y%m%d-%H%M}.xlsx"
        return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
