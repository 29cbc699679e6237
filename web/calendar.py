"""The working-day calendar on the dashboard: holidays, make-up working days and the days Sở Nội vụ added;
add a day off or a make-up working day, or take one back, with the reminders it would move previewed first
(the change run in a unit of work that is rolled back), then confirmed. The same use-cases as
`nhacviec calendar`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from core.deadlines import to_vn, utcnow
from core.errors import CalendarError, NotAllowed
from core.planning.calendar import DayKind
from core.usecases import calendar
from web.pages import Dashboard, Posted


@dataclass
class CalendarPages:
    d: Dashboard

    async def _page(self, request: Request, status: int = 200, shown: int | None = None, **context: object) -> Response:
        viewer = await self.d.signed_in(request)
        if viewer is None:
            return self.d.needs_sign_in(request)
        today = to_vn(utcnow()).date()
        try:
            year = shown or int(request.query_params.get("nam", today.year))
        except ValueError:
            year = today.year
        async with self.d.uows() as uow:
            found = await calendar.entries(uow, self.d.rules, year, today)
        return self.d.render(request, viewer, "calendar.html", status, entries=found, year=year, **context)

    async def page(self, request: Request) -> Response:
        return await self._page(request)

    async def change(self, request: Request) -> Response:
        """Preview (``confirm`` absent) or apply (``confirm`` set) adding or taking back one day or a range."""
        posted = await self.d.posted(request)
        if not isinstance(posted, Posted):
            return posted
        viewer, form, t = posted.viewer, posted.form, posted.t
        try:
            first = date.fromisoformat(form.get("first", ""))
            last = date.fromisoformat(form["last"]) if form.get("last") else first
        except ValueError:
            return await self._page(request, 400, problems=[t("Give the day as YYYY-MM-DD.")], form=form)
        action = form.get("action")
        now = utcnow()
        try:
            async with self.d.uows() as uow:
                if action == "remove":
                    change = await calendar.remove_day(uow, viewer.actor, self.d.rules, first, now)
                else:
                    kind = DayKind.WORKDAY if action == "workday" else DayKind.OFF
                    change = await calendar.add_days(
                        uow, viewer.actor, self.d.rules, first, last, kind, form.get("reason", ""),
                        form.get("source", ""), now,
                    )  # fmt: skip
                if form.get("confirm"):
                    await uow.commit()  # otherwise rolled back: the preview writes nothing and tells no one
        except NotAllowed:
            return self.d.refuse(request, viewer, 403, self.d.admins_only(request, viewer))
        except CalendarError as exc:
            return await self._page(request, 400, problems=[str(exc)], form=form)
        return await self._page(request, shown=first.year, change=change, form=form, done=bool(form.get("confirm")))
