"""The audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import audit
from models import tables as t


class SqlAudit:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def record(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: object | None = None,
        detail: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> None:
        audit.record(self.s, actor, action, entity, entity_id, detail, at)

    async def count(self, actor: str, action: str, since: datetime, prefix: bool = False) -> int:
        who = t.AuditLog.actor.startswith(actor, autoescape=True) if prefix else t.AuditLog.actor == actor
        found = await self.s.scalar(
            select(func.count()).where(who, t.AuditLog.action == action, t.AuditLog.at >= since)
        )
        return int(found or 0)
