"""The dashboard's sign-in links and sessions (tokens as SHA-256 hashes only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import tables as t


class SqlWebAccess:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add_login(self, token_hash: str, account_id: int, now: datetime, expires_at: datetime) -> None:
        self.s.add(t.WebLogin(token_hash=token_hash, account_id=account_id, created_at=now, expires_at=expires_at))
        await self.s.flush()

    async def use_login(self, token_hash: str, now: datetime) -> int | None:
        used = await self.s.execute(
            update(t.WebLogin)
            .where(t.WebLogin.token_hash == token_hash, t.WebLogin.used_at.is_(None), t.WebLogin.expires_at > now)
            .values(used_at=now)
            .returning(t.WebLogin.account_id)
        )
        return used.scalar_one_or_none()

    async def add_session(
        self, token_hash: str, account_id: int, csrf: str, now: datetime, expires_at: datetime
    ) -> None:
        self.s.add(
            t.WebSession(token_hash=token_hash, account_id=account_id, csrf=csrf, created_at=now, expires_at=expires_at)
        )
        await self.s.flush()

    async def session(self, token_hash: str, now: datetime) -> tuple[int, str] | None:
        row = (
            await self.s.execute(
                select(t.WebSession.account_id, t.WebSession.csrf).where(
                    t.WebSession.token_hash == token_hash,
                    t.WebSession.revoked_at.is_(None),
                    t.WebSession.expires_at > now,
                )
            )
        ).first()
        return (int(row[0]), str(row[1])) if row else None

    async def revoke(self, token_hash: str, now: datetime) -> None:
        await self.s.execute(
            update(t.WebSession)
            .where(t.WebSession.token_hash == token_hash, t.WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_person(self, account_id: int, now: datetime) -> int:
        person = select(t.ChatAccount.person_id).where(t.ChatAccount.id == account_id).scalar_subquery()
        accounts = select(t.ChatAccount.id).where(t.ChatAccount.person_id == person)
        done = await self.s.execute(
            update(t.WebSession)
            .where(t.WebSession.account_id.in_(accounts), t.WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(done.rowcount or 0)  # type: ignore[attr-defined]
