"""People and invites on the dashboard: people by agency with role and channels; a new invite (full name,
position, role) shown as its code, the Telegram deep link and a QR code of it (segno, as inline SVG);
deactivating a person; erasing a person's data on their request. The same use-cases as the chat's /moi and
/xoadulieu and the CLI's `nhacviec invite` and `nhacviec people erase`."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace

import segno
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from core.deadlines import utcnow
from core.errors import AdminElsewhere, AgencyUnknown, DomainError, NotAllowed, PersonUnknown
from core.types import Role
from core.usecases import accounts, inbound, people, plan, privacy
from web.guard import Seen, bounded
from web.pages import Dashboard

GROUPS = ("@departments", "@communes", "@districts", "@all")  # what the group form offers


def qr_svg(data: str) -> Markup:
    """A QR code as inline SVG (no file, no script)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True, title=data)
    return Markup(out.getvalue().decode())


@dataclass
class PeoplePages:
    d: Dashboard
    invite_link: Callable[[str], str | None]  # the chat platform's deep link for a code, if one is known

    async def _page(self, s: Seen, status: int = 200, **context: object) -> Response:
        found = await people.listing(s.uow, s.me.actor)
        agencies = await plan.agencies(s.uow) if s.is_admin else []
        set_aside = await inbound.set_aside(s.uow, s.me.actor, limit=20) if s.is_admin else []
        unreached = await people.unreached(s.uow, s.me.actor, utcnow()) if s.is_admin else []
        return self.d.show(
            s,
            "people.html",
            status,
            people=found,
            agencies=agencies,
            roles=list(Role),
            groups=GROUPS,
            set_aside=set_aside,
            unreached=unreached,
            **context,
        )

    async def page(self, s: Seen) -> Response:
        return await self._page(s)

    async def invite(self, s: Seen) -> Response:
        form = s.form
        role = Role(form["role"]) if form.get("role") in {r.value for r in Role} else Role.FOCAL
        try:
            inv = await accounts.create_invite(
                s.uow, s.me.actor, form.get("agency", ""), role, utcnow(), self.d.rules, form.get("name"),
                form.get("title"),
            )  # fmt: skip
        except DomainError as exc:
            return await self._page(s, 400, problems=[_refusal(s.t, exc)], form=form)
        await s.uow.commit()
        link = self.invite_link(inv.code)
        return await self._page(s, invite=inv, link=link, qr=qr_svg(link or f"/dangky {inv.code}"))

    async def invite_group(self, s: Seen) -> Response:
        """One code per agency of a group, all at once (one transaction), shown as a sheet to print and send with an
        official letter: a block per agency with its name, the code, a QR code and how to register."""
        form = s.form
        role = Role(form["role"]) if form.get("role") in {r.value for r in Role} else Role.FOCAL
        group = form.get("group", "")
        try:
            agencies = await accounts.members(s.uow, group) if group in GROUPS else []
            if not agencies:
                return await self._page(s, 400, problems=[s.t("The group has no active agency.")], form=form)
            rules = replace(self.d.rules, invite_ttl=self.d.rules.group_invite_ttl)
            made = await accounts.create_invites(s.uow, s.me.actor, agencies, role, utcnow(), rules)
        except DomainError as exc:
            return await self._page(s, 400, problems=[_refusal(s.t, exc)], form=form)
        await s.uow.commit()
        blocks = [
            (a, inv, self.invite_link(inv.code), qr_svg(self.invite_link(inv.code) or f"/dangky {inv.code}"))
            for a, inv in made
        ]
        return self.d.show(s, "invite_sheet.html", 200, blocks=blocks, group=group, role=role)

    async def deactivate(self, s: Seen) -> Response:
        try:
            person = bounded(s.form.get("person", ""))
            if person is None:
                raise ValueError("no such person")
            await people.deactivate(s.uow, s.me.actor, person, utcnow())
        except ValueError:
            return self.d.say(s, 400, s.t("Refused."))
        except NotAllowed:
            return self.d.say(s, 403, s.t("Only another Sở Nội vụ admin can do this."))
        await s.uow.commit()
        return RedirectResponse("/can-bo", status_code=303)

    async def erase(self, s: Seen) -> Response:
        """Erase a person's personal data on their request (the box ticked to confirm)."""
        person = bounded(s.form.get("person", ""))
        if person is None or s.form.get("confirm") != "yes":
            return self.d.say(s, 400, s.t("Tick the box to confirm the person asked for it; nothing was erased."))
        try:
            await privacy.erase(s.uow, s.me.actor, person, utcnow())
        except PersonUnknown:
            return self.d.say(s, 404, s.t("There is no such person."))
        except NotAllowed:
            return self.d.say(s, 403, s.t("To erase your own data, send /xoadulieu to the bot."))
        await s.uow.commit()
        return RedirectResponse("/can-bo", status_code=303)


def _refusal(gettext: Callable[[str], str], exc: DomainError) -> str:
    if isinstance(exc, AgencyUnknown):
        return gettext("There is no such agency or period.")
    if isinstance(exc, AdminElsewhere):
        return gettext("Admin codes are for Sở Nội vụ's own people.")
    return gettext("Refused.")
