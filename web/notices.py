"""Notices (thông báo) on the dashboard: the list with delivered and acknowledged counts and who has not
acknowledged; compose, choose the audience, preview, send. The same use-cases as /thongbao in chat: what a notice
may be is ``outreach.draft_notice``'s to say; this page only translates its refusal."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import RedirectResponse, Response

from core.deadlines import utcnow
from core.errors import NoticeRefused
from core.usecases import outreach
from web.guard import Seen
from web.pages import Dashboard


def problems(s: Seen, exc: NoticeRefused) -> list[str]:
    """Every reason the notice cannot go, in the viewer's language."""
    found = []
    if exc.empty:
        found.append(s.t("Write the notice first."))
    if exc.too_long:
        found.append(s.t("The notice is too long (at most %(n)d characters).") % {"n": exc.limit})
    if exc.unknown:
        found.append(s.t("Unknown agency codes: %(codes)s") % {"codes": ", ".join(exc.unknown)})
    if exc.no_audience:
        found.append(s.t("Choose at least one agency."))
    return found


@dataclass
class NoticePages:
    d: Dashboard
    queued: Callable[[], None]  # new outbox rows: ask the sender to go now

    async def _draft(self, s: Seen) -> outreach.NoticeDraft:
        """Raises NoticeRefused."""
        codes = re.split(r"[,;\s]+", s.form.get("codes", ""))
        return await outreach.draft_notice(s.uow, s.me.actor, s.form.get("text", ""), s.form.get("audience", ""), codes)

    async def _page(self, s: Seen, status: int = 200, **context: object) -> Response:
        found = await outreach.notices(s.uow, s.me.actor, limit=50)
        context = {"form": {}, "problems": [], "preview": None, **context}
        return self.d.show(
            s,
            "notices.html",
            status,
            notices=found,
            audiences=[*await outreach.offered_audiences(s.uow), "codes"],
            max_notice=outreach.MAX_NOTICE,
            **context,
        )

    async def list_page(self, s: Seen) -> Response:
        return await self._page(s)

    async def preview(self, s: Seen) -> Response:
        try:
            draft = await self._draft(s)
        except NoticeRefused as exc:
            return await self._page(s, 400, form=s.form, problems=problems(s, exc))
        return await self._page(s, form=s.form, preview=draft)

    async def send(self, s: Seen) -> Response:
        try:
            draft = await self._draft(s)
            await outreach.broadcast(s.uow, s.me.actor, s.me.account.agency_name, draft.text, draft.codes, utcnow())
        except NoticeRefused:
            return self.d.say(s, 400, s.t("The notice was not sent: check it and try again."))
        await s.uow.commit()
        self.queued()
        return RedirectResponse("/thong-bao", status_code=303)
