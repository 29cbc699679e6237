"""The delivery outbox: rows written before sending, claimed, then marked sent, retried, blocked or failed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import DeliveryStatus
from models import tables as t


@dataclass(frozen=True, slots=True)
class NewDelivery:
    dedup_key: str
    account_id: int
    kind: str
    text: str
    priority: int = 5  # lower goes first
    notice_id: int | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (label, choice token)


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    id: int
    account_id: int
    platform: str
    chat_id: str
    text: str
    attempts: int
    choices: tuple[tuple[str, str], ...] = ()
    priority: int = 5


async def enqueue(session: AsyncSession, items: list[NewDelivery], now: datetime) -> int:
    """Add the deliveries whose dedup key is new; returns how many were added. The caller commits."""
    if not items:
        return 0
    keys = [i.dedup_key for i in items]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing |= set(
            (await session.scalars(select(t.Delivery.dedup_key).where(t.Delivery.dedup_key.in_(chunk)))).all()
        )
    fresh = [i for i in items if i.dedup_key not in existing]
    session.add_all(
        t.Delivery(
            dedup_key=i.dedup_key,
            account_id=i.account_id,
            kind=i.kind,
            priority=i.priority,
            text=i.text,
            notice_id=i.notice_id,
            choices=[list(c) for c in i.choices] or None,
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for i in fresh
    )
    await session.flush()
    return len(fresh)


async def release_stale_claims(session: AsyncSession, now: datetime, lease: timedelta) -> int:
    """Rows left 'sending' by a crashed sender go back to pending (at most these may repeat)."""
    result = await session.execute(
        update(t.Delivery)
        .where(t.Delivery.status == DeliveryStatus.SENDING.value, t.Delivery.claimed_at < now - lease)
        .values(status=DeliveryStatus.PENDING.value, claimed_at=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def claim_due(
    session: AsyncSession, now: datetime, limit: int, platforms: Collection[str]
) -> list[ClaimedDelivery]:
    """Mark up to ``limit`` due pending rows for ``platforms`` 'sending' and return them.

    Rows for platforms this process has no channel for stay pending for a process that has one; rows
    another sender holds (PostgreSQL row locks) are skipped.
    """
    rows = (
        await session.execute(
            select(t.Delivery, t.ChatAccount.platform, t.ChatAccount.chat_id)
            .join(t.ChatAccount, t.ChatAccount.id == t.Delivery.account_id)
            .where(
                t.Delivery.status == DeliveryStatus.PENDING.value,
                t.Delivery.next_attempt_at <= now,
                t.ChatAccount.platform.in_(list(platforms)),
            )
            .order_by(t.Delivery.priority, t.Delivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=t.Delivery)
        )
    ).all()
    out = []
    for d, platform, chat_id in rows:
        d.status = DeliveryStatus.SENDING.value
        d.claimed_at = now
        choices = tuple((str(label), str(token)) for label, token in (d.choices or []))
        out.append(ClaimedDelivery(d.id, d.account_id, platform, chat_id, d.text, d.attempts, choices, d.priority))
    await session.flush()
    return out


async def mark_sent(session: AsyncSession, delivery_id: int, message_id: str | None, now: datetime) -> None:
    await session.execute(
        update(t.Delivery)
        .where(t.Delivery.id == delivery_id)
        .values(
            status=DeliveryStatus.SENT.value,
            sent_at=now,
            platform_message_id=message_id,
            attempts=t.Delivery.attempts + 1,
            claimed_at=None,
            last_error=None,
        )
    )


async def mark_retry(session: AsyncSession, delivery_id: int, error: str, next_at: datetime) -> None:
    await session.execute(
        update(t.Delivery)
        .where(t.Delivery.id == delivery_id)
        .values(
            status=DeliveryStatus.PENDING.value,
            next_attempt_at=next_at,
            attempts=t.Delivery.attempts + 1,
            claimed_at=None,
            last_error=error[:1000],
        )
    )


async def mark_final(
    session: AsyncSession,
    delivery_id: int,
    status: DeliveryStatus,
    error: str,
    now: datetime,
    account_id: int,
) -> None:
    """Failed or blocked for good; a blocked account is marked so nothing more is queued for it."""
    await session.execute(
        update(t.Delivery)
        .where(t.Delivery.id == delivery_id)
        .values(status=status.value, attempts=t.Delivery.attempts + 1, claimed_at=None, last_error=error[:1000])
    )
    if status is DeliveryStatus.BLOCKED:
        await session.execute(update(t.ChatAccount).where(t.ChatAccount.id == account_id).values(blocked_at=now))


async def status_counts(session: AsyncSession, since: datetime, until: datetime) -> dict[str, int]:
    """Deliveries created in [since, until) by status."""
    rows = (
        await session.execute(
            select(t.Delivery.status, func.count())
            .where(t.Delivery.created_at >= since, t.Delivery.created_at < until, t.Delivery.kind != "digest")
            .group_by(t.Delivery.status)
        )
    ).all()
    return {status: int(n) for status, n in rows}


async def blocked_people(session: AsyncSession) -> list[str]:
    rows = (
        await session.execute(
            select(t.Person.display_name, t.Agency.name)
            .join(t.ChatAccount, t.ChatAccount.person_id == t.Person.id)
            .join(t.Agency, t.Agency.id == t.Person.agency_id)
            .where(t.ChatAccount.blocked_at.is_not(None), t.Person.active.is_(True))
            .order_by(t.Agency.name, t.Person.display_name)
        )
    ).all()
    return [f"{name} ({agency})" for name, agency in rows]


async def fall_back(session: AsyncSession, delivery_id: int, platforms: Collection[str], now: datetime) -> str | None:
    """Queue a copy of the delivery for the same person's other usable account; returns its platform.

    The copy's dedup key is the original's plus the platform, so a message falls back at most once per
    channel and still reaches the person once.
    """
    original = await session.get(t.Delivery, delivery_id)
    assert original is not None
    person_id = select(t.ChatAccount.person_id).where(t.ChatAccount.id == original.account_id).scalar_subquery()
    other = await session.scalar(
        select(t.ChatAccount)
        .where(
            t.ChatAccount.person_id == person_id,
            t.ChatAccount.id != original.account_id,
            t.ChatAccount.active.is_(True),
            t.ChatAccount.blocked_at.is_(None),
            t.ChatAccount.platform.in_(list(platforms)),
        )
        .order_by(t.ChatAccount.preferred.desc(), t.ChatAccount.id)
        .limit(1)
    )
    if other is None:
        return None
    added = await enqueue(
        session,
        [
            NewDelivery(
                f"{original.dedup_key}~{other.platform}",
                other.id,
                original.kind,
                original.text,
                original.priority,
                original.notice_id,
                tuple((str(a), str(b)) for a, b in (original.choices or [])),
            )
        ],
        now,
    )
    return other.platform if added else None
