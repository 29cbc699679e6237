"""Handled reminder points."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.repositories import Conflict
from core.types import RunOutcome
from models import tables as t


class SqlRuns:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def handled_keys(self, since: datetime) -> set[str]:
        return set((await self.s.scalars(select(t.ReminderRun.key).where(t.ReminderRun.at >= since))).all())

    async def is_handled(self, key: str) -> bool:
        return await self.s.scalar(select(t.ReminderRun.id).where(t.ReminderRun.key == key)) is not None

    async def add(self, key: str, at: datetime, handled_at: datetime, outcome: RunOutcome, deliveries: int) -> None:
        self.s.add(t.ReminderRun(key=key, at=at, handled_at=handled_at, outcome=outcome.value, deliveries=deliveries))
        try:
            await self.s.flush()
        except IntegrityError as exc:
            raise Conflict(f"reminder point {key} was handled by another worker") from exc
