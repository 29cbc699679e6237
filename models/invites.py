"""Single-use registration codes for an agency and a role."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.types import InviteInfo, Role
from models import audit
from models.tables import Invite

# Crockford-style alphabet: no I, L, O, U, so a code read aloud or typed on a phone is not mistaken.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 bits


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


async def create_invite(
    session: AsyncSession,
    agency_id: int,
    agency_code: str,
    role: Role,
    now: datetime,
    valid_for: timedelta,
    actor: str,
) -> InviteInfo:
    """A fresh invite; the caller commits."""
    inv = Invite(
        code=new_code(),
        agency_id=agency_id,
        role=role.value,
        created_at=now,
        created_by=actor,
        expires_at=now + valid_for,
    )
    session.add(inv)
    await session.flush()
    audit.record(session, actor, "create_invite", "invite", inv.id, {"agency": agency_code, "role": role.value}, at=now)
    return InviteInfo(code=inv.code, agency_code=agency_code, role=role, expires_at=inv.expires_at)
