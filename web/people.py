"""People and invites on the dashboard: people by agency with role and channels; a new invite (full name,
position, role) shown as its code, the Telegram deep link and a QR code of it (segno, as inline SVG);
deactivating a person. The same use-cases as the chat's /moi and the CLI's `nhacviec invite`."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.deadlines import utcnow
from core.errors import AdminElsewhere, AgencyUnknown, DomainError, NotAllowed
from core.types import Role
from core.usecases import accounts, people, plan
from web.pages import Dashboard, Posted


def qr_svg(data: str) -> Markup:
    """A QR code as inline SVG (no file, no script)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True, title=data)
    return Markup(out.getvalue().decode())


@dataclass
class PeoplePages:
    d: Dashboard
    invite_link: Callable[[str], str | None]  # the chat platform's deep link for a code, if one is known

    async def _page(self, request: Request, status: int = 200, **context: object) -> Response:
        viewer = await self.d.signed_in(request)
        if viewer is None:
            return self.d.needs_sign_in(request)
        async with self.d.uows() as uow:
            found = await people.listing(uow, viewer.actor)
            agencies = await plan.agencies(uow) if self.d.is_admin(viewer) else []
        return self.d.render(
            request, viewer, "people.html", status, people=found, agencies=agencies, roles=list(Role), **context
        )

    async def page(self, request: Request) -> Response:
        return await self._page(request)

    async def invite(self, request: Request) -> Response:
        posted = await self.d.posted(request)
        if not isinstance(posted, Posted):
            return posted
        viewer, form, t = posted.viewer, posted.form, posted.t
        role = Role(form["role"]) if form.get("role") in {r.value for r in Role} else Role.FOCAL
        try:
            async with self.d.uows() as uow:
                inv = await accounts.create_invite(
                    uow, viewer.actor, form.get("agency", ""), role, utcnow(), self.d.rules, form.get("name"),
                    form.get("title"),
                )  # fmt: skip
                await uow.commit()
        except NotAllowed:
            return self.d.refuse(request, viewer, 403, self.d.admins_only(request, viewer))
        except DomainError as exc:
            return await self._page(request, 400, problems=[_refusal(t, exc)], form=form)
        link = self.invite_link(inv.code)
        return await self._page(request, invite=inv, link=link, qr=qr_svg(link or f"/dangky {inv.code}"))

    async def deactivate(self, request: Request) -> Response:
        posted = await self.d.posted(request)
        if not isinstance(posted, Posted):
            return posted
        viewer, form, t = posted.viewer, posted.form, posted.t
        try:
            person_id = int(str(form.get("person", "")))
            async with self.d.uows() as uow:
                await people.deactivate(uow, viewer.actor, person_id, utcnow())
                await uow.commit()
        except ValueError:
            return self.d.refuse(request, viewer, 400, t("Refused."))
        except NotAllowed:
            return self.d.refuse(request, viewer, 403, t("Only another Sở Nội vụ admin can do this."))
        return RedirectResponse("/can-bo", status_code=303)


def _refusal(gettext: Callable[[str], str], exc: DomainError) -> str:
    if isinstance(exc, AgencyUnknown):
        return gettext("There is no such agency or period.")
    if isinstance(exc, AdminElsewhere):
        return gettext("Admin codes are for Sở Nội vụ's own people.")
    return gettext("Refused.")
