"""Messages sent per platform and month."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import Platform
from models import tables as t


def _larger(session: AsyncSession, a: Any, b: int) -> Any:
    """The larger of two values (SQLite's two-argument max, PostgreSQL's greatest)."""
    return func.max(a, b) if session.bind.dialect.name == "sqlite" else func.greatest(a, b)


class SqlUsage:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def used(self, platform: Platform, month: str) -> int:
        row = await self.s.get(t.ChannelUsage, (platform.value, month))
        return row.sent if row else 0

    async def take(self, platform: Platform, month: str, n: int, limit: int) -> tuple[int, int] | None:
        # Two statements, each atomic on both databases: the month's row made if missing, then the count raised only
        # if it stays within the limit. A read, a check and a write of the value read lost updates on SQLite (its
        # FOR UPDATE is a no-op) and let sends in flight overshoot the quota (issue 28, finding 6).
        dialect = self.s.bind.dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        await self.s.execute(
            insert(t.ChannelUsage)
            .values(platform=platform.value, month=month, sent=0, warned_percent=0)
            .on_conflict_do_nothing(index_elements=["platform", "month"])
        )
        row = (
            await self.s.execute(
                update(t.ChannelUsage)
                .where(
                    t.ChannelUsage.platform == platform.value,
                    t.ChannelUsage.month == month,
                    t.ChannelUsage.sent + n <= limit,
                )
                .values(sent=t.ChannelUsage.sent + n)
                .returning(t.ChannelUsage.sent, t.ChannelUsage.warned_percent)
            )
        ).first()
        return (int(row[0]), int(row[1])) if row is not None else None

    async def give_back(self, platform: Platform, month: str, n: int) -> None:
        await self.s.execute(
            update(t.ChannelUsage)
            .where(t.ChannelUsage.platform == platform.value, t.ChannelUsage.month == month)
            .values(sent=_larger(self.s, t.ChannelUsage.sent - n, 0))
        )

    async def set_warned(self, platform: Platform, month: str, percent: int) -> None:
        await self.s.execute(
            update(t.ChannelUsage)
            .where(t.ChannelUsage.platform == platform.value, t.ChannelUsage.month == month)
            .values(warned_percent=percent)
        )
