"""Incoming updates kept from their arrival until answered (see ``models.tables.InboundUpdate``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import Platform, SetAside, WaitingUpdate
from models import tables as t


class SqlInbox:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(self, platform: Platform, key: str, chat_id: str, body: dict[str, object], now: datetime) -> bool:
        # One statement that inserts or does nothing: twenty copies of one update arriving at once (the platform
        # retrying, a proxy repeating) are kept once, and none fails on the unique key (issue 28, finding 13).
        dialect = self.s.bind.dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        result = await self.s.execute(
            insert(t.InboundUpdate)
            .values(
                platform=platform.value,
                update_key=key,
                chat_id=chat_id,
                body=body,
                received_at=now,
                next_attempt_at=now,
                sent=0,
                attempts=0,
            )
            .on_conflict_do_nothing(index_elements=["platform", "update_key"])
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def waiting(self, platform: Platform, now: datetime, limit: int) -> list[WaitingUpdate]:
        rows = await self.s.scalars(
            select(t.InboundUpdate)
            .where(
                t.InboundUpdate.platform == platform.value,
                t.InboundUpdate.done_at.is_(None),
                t.InboundUpdate.next_attempt_at <= now,
            )
            .order_by(t.InboundUpdate.id)
            .limit(limit)
        )
        return [
            WaitingUpdate(
                r.id, r.chat_id, dict(r.body), tuple(r.replies) if r.replies is not None else None, r.sent, r.attempts
            )
            for r in rows.all()
        ]

    async def keep_replies(self, update_id: int, replies: list[dict[str, object]]) -> None:
        await self.s.execute(update(t.InboundUpdate).where(t.InboundUpdate.id == update_id).values(replies=replies))

    async def sent_one(self, update_id: int, sent: int) -> None:
        await self.s.execute(update(t.InboundUpdate).where(t.InboundUpdate.id == update_id).values(sent=sent))

    async def retry(self, update_id: int, error: str, next_at: datetime) -> None:
        await self.s.execute(
            update(t.InboundUpdate)
            .where(t.InboundUpdate.id == update_id)
            .values(attempts=t.InboundUpdate.attempts + 1, last_error=error[:500], next_attempt_at=next_at)
        )

    async def done(self, update_id: int, now: datetime) -> None:
        await self.s.execute(update(t.InboundUpdate).where(t.InboundUpdate.id == update_id).values(done_at=now))

    async def set_aside(self, update_id: int, error: str, now: datetime) -> None:
        await self.s.execute(
            update(t.InboundUpdate)
            .where(t.InboundUpdate.id == update_id)
            .values(done_at=now, set_aside_at=now, last_error=error[:500], attempts=t.InboundUpdate.attempts + 1)
        )

    async def set_aside_list(self, limit: int) -> list[SetAside]:
        rows = await self.s.scalars(
            select(t.InboundUpdate)
            .where(t.InboundUpdate.set_aside_at.is_not(None))
            .order_by(t.InboundUpdate.set_aside_at.desc(), t.InboundUpdate.id.desc())
            .limit(limit)
        )
        return [
            SetAside(r.id, r.platform, r.chat_id, r.received_at, r.set_aside_at, r.last_error or "")
            for r in rows.all()
            if r.set_aside_at is not None
        ]

    async def prune(self, before: datetime, set_aside_before: datetime) -> int:
        result = await self.s.execute(
            delete(t.InboundUpdate).where(
                t.InboundUpdate.done_at.is_not(None),
                or_(
                    and_(t.InboundUpdate.set_aside_at.is_(None), t.InboundUpdate.done_at < before),
                    t.InboundUpdate.set_aside_at < set_aside_before,
                ),
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
