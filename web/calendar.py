"""The working-day calendar on the dashboard: holidays, make-up working days and the days Sở Nội vụ added;
add a day off or a make-up working day, or take one back, with the reminders it would move previewed first
(the change run in a unit of work that is rolled back), then confirmed. The same use-cases as
`nhacviec calendar`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from starlette.responses import Response

from core.deadlines import MAX_YEAR, MIN_YEAR, to_vn, utcnow
from core.errors import CalendarError
from core.planning.calendar import DayKind
from core.usecases import calendar
from web.guard import Seen, bounded
from web.pages import Dashboard


@dataclass
class CalendarPages:
    d: Dashboard

    async def _page(self, s: Seen, status: int = 200, shown: int | None = None, **context: object) -> Response:
        today = to_vn(utcnow()).date()
        year = shown or bounded(s.request.query_params.get("nam", today.year), MIN_YEAR, MAX_YEAR) or today.year
        found = await calendar.entries(s.uow, self.d.rules, year, today)
        return self.d.show(s, "calendar.html", status, entries=found, year=year, **context)

    async def page(self, s: Seen) -> Response:
        return await self._page(s)

    async def change(self, s: Seen) -> Response:
        """Preview (``confirm`` absent) or apply (``confirm`` set) adding or taking back one day or a range."""
        form = s.form
        try:
            first = date.fromisoformat(form.get("first", ""))
            last = date.fromisoformat(form["last"]) if form.get("last") else first
        except ValueError:
            return await self._page(s, 400, problems=[s.t("Give the day as YYYY-MM-DD.")], form=form)
        action, apply = form.get("action"), bool(form.get("confirm"))
        now = utcnow()
        try:
            if action == "remove":
                change = await calendar.remove_day(s.uow, s.me.actor, self.d.rules, first, now, apply)
            else:
                kind = DayKind.WORKDAY if action == "workday" else DayKind.OFF
                change = await calendar.add_days(
                    s.uow, s.me.actor, self.d.rules, first, last, kind, form.get("reason", ""), form.get("source", ""),
                    now, apply,
                )  # fmt: skip
        except CalendarError as exc:
            return await self._page(s, 400, problems=[str(exc)], form=form)
        if apply:
            await s.uow.commit()
        return await self._page(s, shown=first.year, change=change, form=form, done=apply)
