"""Ad-hoc report requests on the dashboard (the same use-cases as /dotxuat in chat): subject, the agencies asked,
and the deadline as people say it ("thứ Sáu tuần sau", "cuối tháng", "20/12/2026"); the preview shows the day it
names, and sending carries that day, so what was shown is what is saved."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from starlette.responses import Response

from core import messages
from core.deadlines import end_of_day, utcnow
from core.errors import AdhocRefused, NoAdhocSeries
from core.messages import short_day
from core.usecases import outreach
from web.guard import Seen
from web.pages import Dashboard


def problems(s: Seen, exc: AdhocRefused) -> list[str]:
    found = []
    if exc.no_title:
        found.append(s.t("Write the subject of the report."))
    if exc.title_too_long:
        found.append(s.t("The subject is too long (at most 150 characters)."))
    if exc.unknown:
        found.append(s.t("Unknown agency codes: %(codes)s") % {"codes": ", ".join(exc.unknown)})
    if exc.no_audience:
        found.append(s.t("Choose at least one agency."))
    if exc.deadline is not None:
        found.append(messages.adhoc_deadline_refused(s.lang, exc.deadline.reason, exc.deadline.phrase))
    return found


@dataclass
class AdhocPages:
    d: Dashboard
    queued: Callable[[], None]  # new outbox rows: ask the sender to go now

    async def _page(self, s: Seen, status: int = 200, **context: object) -> Response:
        context = {"form": {}, "problems": [], "draft": None, "done": None, **context}
        audiences = [*await outreach.offered_audiences(s.uow), "codes"]
        return self.d.show(s, "adhoc.html", status, audiences=audiences, **context)

    async def _draft(self, s: Seen, deadline: str) -> outreach.AdhocDraft:
        codes = re.split(r"[,;\s]+", s.form.get("codes", ""))
        return await outreach.draft_adhoc(
            s.uow, s.me.actor, s.form.get("title", ""), s.form.get("audience", ""), codes, deadline, utcnow(),
            self.d.rules,
        )  # fmt: skip

    async def page(self, s: Seen) -> Response:
        return await self._page(s)

    async def preview(self, s: Seen) -> Response:
        try:
            draft = await self._draft(s, s.form.get("deadline", ""))
        except AdhocRefused as exc:
            return await self._page(s, 400, form=s.form, problems=problems(s, exc))
        return await self._page(s, form=s.form, draft=draft)

    async def send(self, s: Seen) -> Response:
        """Send what the preview showed: its day, carried as a date (not the phrase, read again)."""
        try:
            shown = date.fromisoformat(s.form.get("due", ""))
            draft = await self._draft(s, f"{short_day(shown)}")
            made = await outreach.request_adhoc(
                s.uow, s.me.actor, s.me.account.agency_name, draft.title, draft.codes, end_of_day(draft.due),
                utcnow(), self.d.rules,
            )  # fmt: skip
        except ValueError:
            return self.d.say(s, 400, s.t("Refused."))
        except AdhocRefused as exc:
            return await self._page(s, 400, form=s.form, problems=problems(s, exc))
        except NoAdhocSeries:
            return await self._page(
                s,
                400,
                form=s.form,
                problems=[s.t("No plan has an ad-hoc report series; add one to the plan file first.")],
            )
        await s.uow.commit()
        self.queued()
        return await self._page(s, done=made)
