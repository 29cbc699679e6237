"""Choices offered to an account and the step of its multi-step command."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import ChoiceRecord
from models import tables as t


class SqlConversations:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def offer(
        self, account_id: int, options: Sequence[tuple[str, dict[str, Any]]], now: datetime, ttl: timedelta
    ) -> list[str]:
        menu = secrets.token_hex(8)
        tokens = [secrets.token_urlsafe(12) for _ in options]
        self.s.add_all(
            t.PendingChoice(
                token=tok,
                menu_id=menu,
                position=i,
                account_id=account_id,
                action=action,
                payload=payload,
                created_at=now,
                expires_at=now + ttl,
            )
            for i, (tok, (action, payload)) in enumerate(zip(tokens, options, strict=True), start=1)
        )
        await self.s.flush()
        return tokens

    async def choice(self, token: str) -> ChoiceRecord | None:
        row = await self.s.scalar(select(t.PendingChoice).where(t.PendingChoice.token == token[:32]))
        if row is None:
            return None
        return ChoiceRecord(
            row.token, row.menu_id, row.account_id, row.action, dict(row.payload), row.expires_at, row.used_at
        )

    async def use_menu(self, menu_id: str, now: datetime) -> bool:
        done = await self.s.execute(
            update(t.PendingChoice)
            .where(t.PendingChoice.menu_id == menu_id, t.PendingChoice.used_at.is_(None))
            .values(used_at=now)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def pick(self, account_id: int, position: int, now: datetime) -> str | None:
        latest = await self.s.scalar(
            select(t.PendingChoice.menu_id)
            .where(t.PendingChoice.account_id == account_id)
            .order_by(t.PendingChoice.id.desc())
            .limit(1)
        )
        if latest is None:
            return None
        row = await self.s.scalar(
            select(t.PendingChoice).where(t.PendingChoice.menu_id == latest, t.PendingChoice.position == position)
        )
        if row is None or row.expires_at <= now:
            return None
        return row.token

    async def state(self, account_id: int, now: datetime) -> tuple[str, dict[str, Any]] | None:
        row = await self.s.get(t.ConversationState, account_id)
        if row is None or row.expires_at <= now:
            return None
        return row.flow, dict(row.data)

    async def set_state(self, account_id: int, flow: str, data: dict[str, Any], expires_at: datetime) -> None:
        row = await self.s.get(t.ConversationState, account_id)
        if row is None:
            self.s.add(t.ConversationState(account_id=account_id, flow=flow, data=data, expires_at=expires_at))
        else:
            row.flow, row.data, row.expires_at = flow, data, expires_at
        await self.s.flush()

    async def clear_state(self, account_id: int) -> None:
        row = await self.s.get(t.ConversationState, account_id)
        if row is not None:
            await self.s.delete(row)
            await self.s.flush()
