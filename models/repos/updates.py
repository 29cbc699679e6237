"""Incoming updates already handled (webhook retries, the same update at two instances)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import Platform
from models import tables as t


class SqlSeenUpdates:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(self, platform: Platform, key: str, now: datetime) -> bool:
        found = await self.s.scalar(
            select(t.SeenUpdate.update_key).where(
                t.SeenUpdate.platform == platform.value, t.SeenUpdate.update_key == key
            )
        )
        if found is not None:
            return False
        self.s.add(t.SeenUpdate(platform=platform.value, update_key=key, seen_at=now))
        return True

    async def prune(self, before: datetime) -> int:
        result = await self.s.execute(delete(t.SeenUpdate).where(t.SeenUpdate.seen_at < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
