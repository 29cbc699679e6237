"""Notices (thông báo) on the dashboard: the list with delivered and acknowledged counts and who has not
acknowledged; compose, choose the audience, preview, send. The same use-cases as /thongbao in chat."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.deadlines import utcnow
from core.errors import NotAllowed
from core.i18n import gettext_for
from core.usecases import outreach
from web.pages import Dashboard, Posted
from web.session import language

AUDIENCES = ("all", "departments", "districts", "codes")
MAX_TEXT = 3000


@dataclass
class NoticePages:
    d: Dashboard
    queued: Callable[[], None]  # new outbox rows: ask the sender to go now

    async def _audience(self, form: dict[str, str]) -> tuple[list[str], list[str]]:
        """(agency codes, unknown codes) of the chosen audience."""
        async with self.d.uows() as uow:
            if form.get("audience") == "codes":
                return await outreach.split_codes(uow, re.split(r"[,;\s]+", form.get("codes", "")))
            audience = form.get("audience") if form.get("audience") in outreach.AUDIENCES else "all"
            return await outreach.audience_codes(uow, str(audience)), []

    async def _draft(self, form: dict[str, str], t: Callable[[str], str]) -> tuple[str, list[str], list[str]]:
        """(text, agency codes, problems) of a notice as the form has it; no problem: it may be sent."""
        text = form.get("text", "").strip()
        codes, unknown = await self._audience(form)
        problems = []
        if not text:
            problems.append(t("Write the notice first."))
        if len(text) > MAX_TEXT:
            problems.append(t("The notice is too long (at most %(n)d characters).") % {"n": MAX_TEXT})
        if unknown:
            problems.append(t("Unknown agency codes: %(codes)s") % {"codes": ", ".join(unknown)})
        if not codes:
            problems.append(t("Choose at least one agency."))
        return text, codes, problems

    async def list_page(self, request: Request) -> Response:
        viewer = await self.d.signed_in(request)
        if viewer is None:
            return self.d.needs_sign_in(request)
        try:
            async with self.d.uows() as uow:
                found = await outreach.notices(uow, viewer.actor, limit=50)
        except NotAllowed:
            t = gettext_for(language(request, viewer)).gettext
            return self.d.refuse(request, viewer, 403, t("Only Sở Nội vụ admins can send notices."))
        return self.d.render(request, viewer, "notices.html", notices=found, form={}, audiences=AUDIENCES)

    async def preview(self, request: Request) -> Response:
        posted = await self.d.posted(request)
        if not isinstance(posted, Posted):
            return posted
        viewer, form, t = posted.viewer, posted.form, posted.t
        text, codes, problems = await self._draft(form, t)
        async with self.d.uows() as uow:
            try:
                found = await outreach.notices(uow, viewer.actor, limit=50)
            except NotAllowed:
                return self.d.refuse(request, viewer, 403, t("Only Sở Nội vụ admins can send notices."))
            people = await outreach.reach(uow, codes) if codes else 0
        return self.d.render(
            request,
            viewer,
            "notices.html",
            notices=found,
            form=form,
            audiences=AUDIENCES,
            problems=problems,
            preview=None if problems else {"text": text, "codes": codes, "people": people},
            status=400 if problems else 200,
        )

    async def send(self, request: Request) -> Response:
        posted = await self.d.posted(request)
        if not isinstance(posted, Posted):
            return posted
        viewer, form, t = posted.viewer, posted.form, posted.t
        text, codes, problems = await self._draft(form, t)
        if problems:
            return self.d.refuse(request, viewer, 400, t("The notice was not sent: check it and try again."))
        try:
            async with self.d.uows() as uow:
                await outreach.broadcast(uow, viewer.actor, viewer.account.agency_name, text, codes, utcnow())
                await uow.commit()
        except NotAllowed:
            return self.d.refuse(request, viewer, 403, t("Only Sở Nội vụ admins can send notices."))
        self.queued()
        return RedirectResponse("/thong-bao", status_code=303)
