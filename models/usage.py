"""Outgoing messages per platform and month, and the admins' quota warnings (Zalo: 3,000 a month free)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import messages
from core.deadlines import start_of_day, to_vn, utcnow
from core.types import Role
from models import outbox
from models import tables as t
from models.reminders import recipients

THRESHOLDS = (80, 95)


def month_of(now: datetime) -> str:
    return f"{to_vn(now):%Y-%m}"


def next_month_start(now: datetime) -> datetime:
    local = to_vn(now).date()
    first = date(local.year + 1, 1, 1) if local.month == 12 else date(local.year, local.month + 1, 1)
    return start_of_day(first)


class UsageMeter:
    """Counts in the database, so every process and every restart sees the same month's total."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        platform: str,
        quota: int,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.platform = platform
        self.quota = quota
        self.clock = clock

    async def used(self) -> int:
        async with self.sessions() as s:
            row = await s.get(t.ChannelUsage, (self.platform, month_of(self.clock())))
            return row.sent if row else 0

    async def record(self, n: int = 1) -> int:
        """Add ``n`` sent messages; queue a warning to the admins when 80 % or 95 % is crossed."""
        for _ in range(2):  # a second process may insert the month's row at the same moment
            try:
                async with self.sessions.begin() as s:
                    return await self._record(s, n)
            except IntegrityError:
                continue
        raise RuntimeError("could not record channel usage")

    async def _record(self, s: AsyncSession, n: int) -> int:
        now = self.clock()
        month = month_of(now)
        row = await s.scalar(
            select(t.ChannelUsage)
            .where(t.ChannelUsage.platform == self.platform, t.ChannelUsage.month == month)
            .with_for_update()
        )
        if row is None:
            row = t.ChannelUsage(platform=self.platform, month=month, sent=0, warned_percent=0)
            s.add(row)
        row.sent += n
        percent = row.sent * 100 // self.quota if self.quota else 0
        crossed = [p for p in THRESHOLDS if row.warned_percent < p <= percent]
        if crossed:
            row.warned_percent = crossed[-1]
            admins = await recipients(s, Role.ADMIN)
            await outbox.enqueue(
                s,
                [
                    outbox.NewDelivery(
                        f"quota:{self.platform}:{month}:{crossed[-1]}#{r.account_id}",
                        r.account_id,
                        "quota",
                        messages.quota_warning(
                            r.language, r.person_name, self.platform, row.sent, self.quota, crossed[-1]
                        ),
                        priority=1,
                    )
                    for r in admins
                ],
                now,
            )
        return row.sent
