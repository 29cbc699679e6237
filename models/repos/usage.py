"""Messages sent per platform and month."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.repositories import Conflict
from core.types import Platform
from models import tables as t


class SqlUsage:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def used(self, platform: Platform, month: str) -> int:
        row = await self.s.get(t.ChannelUsage, (platform.value, month))
        return row.sent if row else 0

    async def add(self, platform: Platform, month: str, n: int) -> tuple[int, int]:
        row = await self.s.scalar(
            select(t.ChannelUsage)
            .where(t.ChannelUsage.platform == platform.value, t.ChannelUsage.month == month)
            .with_for_update()
        )
        if row is None:
            row = t.ChannelUsage(platform=platform.value, month=month, sent=0, warned_percent=0)
            self.s.add(row)
        row.sent += n
        try:
            await self.s.flush()
        except IntegrityError as exc:  # another process inserted the month's row at the same moment
            raise Conflict("channel usage row created concurrently") from exc
        return row.sent, row.warned_percent

    async def set_warned(self, platform: Platform, month: str, percent: int) -> None:
        await self.s.execute(
            update(t.ChannelUsage)
            .where(t.ChannelUsage.platform == platform.value, t.ChannelUsage.month == month)
            .values(warned_percent=percent)
        )
