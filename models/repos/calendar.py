"""Calendar days Sở Nội vụ has stored (extra days off, make-up working days, swaps taken back)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import CalendarDayInfo
from models import tables as t


class SqlCalendar:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def days(self) -> list[CalendarDayInfo]:
        found = await self.s.scalars(select(t.CalendarDay).order_by(t.CalendarDay.day))
        return [CalendarDayInfo(d.day, d.kind, d.reason, d.source, d.created_at, d.created_by) for d in found.all()]

    async def put(self, day: CalendarDayInfo) -> bool:
        row = await self.s.get(t.CalendarDay, day.day)
        if row is not None and (row.kind, row.reason, row.source) == (day.kind, day.reason, day.source):
            return False
        if row is None:
            self.s.add(
                t.CalendarDay(
                    day=day.day,
                    kind=day.kind,
                    reason=day.reason,
                    source=day.source,
                    created_at=day.created_at,
                    created_by=day.created_by,
                )
            )
        else:
            row.kind, row.reason, row.source = day.kind, day.reason, day.source
            row.created_at, row.created_by = day.created_at, day.created_by
        await self.s.flush()
        return True

    async def remove(self, day: date) -> bool:
        result = await self.s.execute(delete(t.CalendarDay).where(t.CalendarDay.day == day))
        return bool(getattr(result, "rowcount", 0))
