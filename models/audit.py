"""The audit log: every state change made through chat or the CLI leaves a row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.deadlines import utcnow
from models.tables import AuditLog


def record(
    session: AsyncSession,
    actor: str,
    action: str,
    entity: str,
    entity_id: object | None = None,
    detail: dict[str, object] | None = None,
    at: datetime | None = None,
) -> None:
    """Add an audit row to the session; the caller's transaction commits it with the change."""
    session.add(
        AuditLog(
            at=at or utcnow(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            detail=detail or {},
        )
    )
