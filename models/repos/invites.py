"""Registration and link codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import InviteRecord, Role
from models import tables as t


class SqlInvites:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(
        self,
        code: str,
        agency_id: int,
        role: Role,
        now: datetime,
        expires_at: datetime,
        actor: str,
        person_id: int | None = None,
        person_name: str | None = None,
        person_title: str | None = None,
    ) -> int:
        inv = t.Invite(
            code=code,
            agency_id=agency_id,
            role=role.value,
            created_at=now,
            created_by=actor,
            expires_at=expires_at,
            person_id=person_id,
            person_name=person_name,
            person_title=person_title,
        )
        self.s.add(inv)
        await self.s.flush()
        return inv.id

    async def by_code(self, code: str) -> InviteRecord | None:
        inv = await self.s.scalar(select(t.Invite).where(t.Invite.code == code))
        if inv is None:
            return None
        return InviteRecord(
            inv.id,
            inv.agency_id,
            Role(inv.role),
            inv.expires_at,
            inv.used_at,
            inv.person_id,
            inv.person_name,
            inv.person_title,
        )

    async def claim(self, invite_id: int, now: datetime) -> bool:
        done = await self.s.execute(
            update(t.Invite).where(t.Invite.id == invite_id, t.Invite.used_at.is_(None)).values(used_at=now)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def revoke_links(self, person_id: int, now: datetime) -> int:
        done = await self.s.execute(
            update(t.Invite)
            .where(t.Invite.person_id == person_id, t.Invite.used_at.is_(None), t.Invite.expires_at > now)
            .values(expires_at=now)
        )
        return int(done.rowcount or 0)  # type: ignore[attr-defined]

    async def set_used_by(self, invite_id: int, account_id: int) -> None:
        await self.s.execute(update(t.Invite).where(t.Invite.id == invite_id).values(used_by_account_id=account_id))
