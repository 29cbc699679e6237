"""The dashboard's pages. Each handler reads the viewer, calls one use-case, renders a template; no SQL here.

Sign-in: ``/dang-nhap?t=TOKEN`` (the one-time link from /web or `nhacviec login-link`) sets the session
cookie and redirects to ``/`` (no token in the address any more). Every POST carries the CSRF token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from core import export
from core.deadlines import to_vn, utcnow
from core.errors import AgencyUnknown, LinkRefused, NotAllowed, PeriodUnknown
from core.i18n import gettext_for
from core.repositories import UnitOfWorkFactory
from core.types import AgencyKind, Role
from core.usecases import matrix, overview, web_access
from core.usecases.rules import Rules
from core.usecases.web_access import Viewer
from web.charts import rate_chart
from web.labels import LABELS
from web.session import LANG_COOKIE, Cookies, current_viewer, form_fields, language

TEMPLATES = Path(__file__).resolve().parent / "templates"
Handler = Callable[[Request], Awaitable[Response]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Posted:
    """A form posted by a signed-in person with the right CSRF token."""

    viewer: Viewer
    form: dict[str, str]
    t: Callable[[str], str]  # gettext in the viewer's language


@dataclass
class Dashboard:
    uows: UnitOfWorkFactory
    rules: Rules
    cookies: Cookies

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
        )

    # ------------------------------------------------------------------ rendering

    def render(
        self, request: Request, viewer: Viewer | None, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        lang = language(request, viewer)
        tr = gettext_for(lang)
        html = self.env.get_template(template).render(
            _=tr.gettext,
            label=lambda value: tr.gettext(LABELS[value]) if value in LABELS else value,
            lang=lang,
            viewer=viewer,
            is_admin=viewer is not None and viewer.account.role is Role.ADMIN,
            csrf=viewer.csrf if viewer else "",
            partial=request.headers.get("HX-Request") == "true",
            day=lambda d: f"{to_vn(d):%d/%m/%Y}" if d else "",
            moment=lambda d: f"{to_vn(d):%H:%M %d/%m/%Y}" if d else "",
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def refuse(self, request: Request, viewer: Viewer | None, status: int, message: str) -> HTMLResponse:
        return self.render(request, viewer, "refused.html", status, message=message)

    @staticmethod
    def is_admin(viewer: Viewer) -> bool:
        return viewer.account.role is Role.ADMIN

    @staticmethod
    def admins_only(request: Request, viewer: Viewer | None) -> str:
        return gettext_for(language(request, viewer)).gettext("This page is for Sở Nội vụ admins only.")

    async def posted(self, request: Request) -> Posted | Response:
        """The posted form, or the refusal to answer with: not signed in (401), no or a wrong CSRF token (403)."""
        viewer = await self.signed_in(request)
        if viewer is None:
            return self.needs_sign_in(request)
        tr = gettext_for(language(request, viewer))
        form = await form_fields(request)
        if not viewer.csrf_ok(form.get("csrf")):
            return self.refuse(request, viewer, 403, tr.gettext("Refused."))
        return Posted(viewer, form, tr.gettext)

    async def signed_in(self, request: Request) -> Viewer | None:
        return await current_viewer(self.uows, self.cookies, request)

    def needs_sign_in(self, request: Request) -> HTMLResponse:
        tr = gettext_for(language(request, None))
        return self.refuse(request, None, 401, tr.gettext("Please sign in: type /web to the bot for a sign-in link."))

    # ------------------------------------------------------------------ sign-in

    async def sign_in(self, request: Request) -> Response:
        tr = gettext_for(language(request, None))
        try:
            async with self.uows() as uow:
                session = await web_access.sign_in(uow, request.query_params.get("t", ""), utcnow())
                await uow.commit()
        except LinkRefused:
            return self.refuse(
                request,
                None,
                403,
                tr.gettext("This sign-in link has been used or has expired. Type /web to the bot for a new one."),
            )
        response = RedirectResponse("/", status_code=303)
        self.cookies.set(response, session)
        return response

    async def sign_out(self, request: Request) -> Response:
        posted = await self.posted(request)
        if not isinstance(posted, Posted):
            return posted
        viewer, form = posted.viewer, posted.form
        token = self.cookies.token(request) or ""
        async with self.uows() as uow:
            if form.get("everywhere"):
                await web_access.sign_out_everywhere(uow, viewer, utcnow())
            else:
                await web_access.sign_out(uow, token, utcnow())
            await uow.commit()
        response = RedirectResponse("/da-dang-xuat", status_code=303)
        self.cookies.clear(response)
        return response

    async def signed_out(self, request: Request) -> Response:
        tr = gettext_for(language(request, None))
        return self.refuse(request, None, 200, tr.gettext("You are signed out."))

    async def switch_language(self, request: Request) -> Response:
        posted = await self.posted(request)
        if not isinstance(posted, Posted):
            return posted
        form = posted.form
        lang = "en" if form.get("lang") == "en" else "vi"
        response = RedirectResponse(str(form.get("back") or "/"), status_code=303)
        if not response.headers["location"].startswith("/"):
            response = RedirectResponse("/", status_code=303)
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax")
        return response

    # ------------------------------------------------------------------ pages

    async def matrix_page(self, request: Request) -> Response:
        viewer = await self.signed_in(request)
        if viewer is None:
            return self.needs_sign_in(request)
        q = request.query_params
        kind = AgencyKind(q["kind"]) if q.get("kind") in {k.value for k in AgencyKind} else None
        async with self.uows() as uow:
            found = await matrix.matrix(
                uow, viewer.actor, self.rules, utcnow(), q.get("plan") or None, q.get("series") or None, kind
            )
        return self.render(
            request, viewer, "matrix.html", m=found, kinds=list(AgencyKind), chosen_kind=kind, series=q.get("series")
        )

    async def cell_page(self, request: Request) -> Response:
        viewer = await self.signed_in(request)
        if viewer is None:
            return self.needs_sign_in(request)
        tr = gettext_for(language(request, viewer))
        try:
            period_id = int(request.path_params["period_id"])
            async with self.uows() as uow:
                detail = await matrix.cell_detail(
                    uow, viewer.actor, self.rules, period_id, request.path_params["agency"], utcnow()
                )
        except NotAllowed:
            return self.refuse(request, viewer, 403, tr.gettext("You may see your own agency only."))
        except (ValueError, PeriodUnknown, AgencyUnknown):
            return self.refuse(request, viewer, 404, tr.gettext("There is no such agency or period."))
        return self.render(request, viewer, "cell.html", d=detail)

    async def trends_page(self, request: Request) -> Response:
        viewer = await self.signed_in(request)
        if viewer is None:
            return self.needs_sign_in(request)
        tr = gettext_for(language(request, viewer))
        async with self.uows() as uow:
            found = await matrix.matrix(uow, viewer.actor, self.rules, utcnow(), request.query_params.get("plan"))
        chart = rate_chart(
            [c.period.key for c in found.columns],
            [c.on_time_rate for c in found.columns],
            tr.gettext("On-time rate per period"),
        )
        return self.render(request, viewer, "trends.html", m=found, chart=Markup(chart))

    async def export_file(self, request: Request) -> Response:
        viewer = await self.signed_in(request)
        if viewer is None:
            return self.needs_sign_in(request)
        try:
            async with self.uows() as uow:
                rows = await overview.export_rows(uow, viewer.actor, None, utcnow(), self.rules)
        except NotAllowed:
            tr = gettext_for(language(request, viewer))
            return self.refuse(request, viewer, 403, tr.gettext("Only Sở Nội vụ admins can export."))
        now = utcnow()
        data = export.compliance_workbook(rows, now)
        name = f"tong-hop-bao-cao-{to_vn(now):%Y%m%d-%H%M}.xlsx"
        return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
