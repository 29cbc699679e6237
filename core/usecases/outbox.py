"""What happens to an outbox row: what leaves when it is claimed (one message per person per moment), and after a
send attempt: sent, retried, moved to the other app, or final."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from core import bundles, keys
from core.repositories import UnitOfWork
from core.types import ClaimedDelivery, DeliveryStatus, NewDelivery, Platform

CONFIRMED_FIRST = "not sent: the report was confirmed before the reminder left"


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 8

    def delay(self, attempt: int, retry_after: float | None) -> timedelta:
        """Exponential backoff for the attempt just failed (1-based), never sooner than the platform asks."""
        backoff: timedelta = min(self.cap, self.base * (2 ** (attempt - 1)))
        return max(backoff, timedelta(seconds=retry_after or 0))


async def claim(
    uow: UnitOfWork, now: datetime, limit: int, platforms: Collection[Platform], instance: int | None = None
) -> list[ClaimedDelivery]:
    """Due rows for these platforms, marked as being sent by this caller (``instance``, when a service).

    Reminders due to one person at this moment leave as one message (issue 30): a claimed reminder takes the
    person's other reminders of its group due now along; those whose report is confirmed by now are withdrawn
    (a reminder planned before the confirmation is never sent after it), and a message left with none is not
    sent. Decided here, at the instant of sending, every time the message is tried.
    """
    claimed = await uow.outbox.claim_due(now, limit, platforms, instance)
    out: list[ClaimedDelivery] = []
    groups: dict[tuple[int, str], list[ClaimedDelivery]] = {}
    for item in claimed:
        if item.part is None:
            out.append(item)
        else:
            groups.setdefault((item.account_id, item.part.group), []).append(item)
    for (account_id, group), items in groups.items():
        taken = [i.id for i in items]
        members = items + await uow.outbox.gather(account_id, bundles.KINDS_OF[group], taken, now, instance)
        message = await _message(uow, members, now)
        if message is not None:
            out.append(message)
    out.sort(key=lambda i: (i.priority, i.id))
    return out


async def _message(uow: UnitOfWork, members: list[ClaimedDelivery], now: datetime) -> ClaimedDelivery | None:
    """The one message that carries the members still owed at ``now``, or None when every report is confirmed."""
    confirmed = await uow.periods.confirmations(sorted({m.period_id for m in members if m.period_id is not None}))

    def owed(m: ClaimedDelivery) -> bool:
        assert m.part is not None
        at = confirmed.get((m.part.agency, m.period_id or 0))
        return at is None or at > now

    live = sorted((m for m in members if owed(m)), key=lambda m: (m.part.rank if m.part else 0, m.id))
    await uow.outbox.withdraw([m.id for m in members if not owed(m)], CONFIRMED_FIRST)
    if not live:
        return None
    head = live[0]
    await uow.outbox.carry(head.id, [m.id for m in live[1:]])
    return head if len(live) == 1 else bundles.compose(head.language, live)


async def release_stale(uow: UnitOfWork, now: datetime, lease: timedelta, instance: int | None = None) -> int:
    """Rows left in flight by a stopped sender go back to the queue (at most these may repeat): at once
    when the instance that claimed them is gone, else after ``lease``."""
    released = await uow.outbox.release_orphans(instance) if instance is not None else 0
    return released + await uow.outbox.release_stale(now, lease)


async def unclaim(uow: UnitOfWork, ids: Collection[int], now: datetime) -> None:
    """Claimed rows this sender will not send after all (it is stopping): back to the queue, no attempt counted."""
    for delivery_id in ids:
        await uow.outbox.mark_retry(delivery_id, "not sent: the service stopped first", now, count_attempt=False)


async def sent(uow: UnitOfWork, item: ClaimedDelivery, message_id: str | None, now: datetime) -> None:
    await uow.outbox.mark_sent(item.id, message_id, now)


async def fall_back(
    uow: UnitOfWork, item: ClaimedDelivery, platforms: Collection[Platform], now: datetime
) -> str | None:
    """Queue a copy for the same person's other usable account; returns its platform, if any.

    The copy's key is the original's plus the platform, so a message falls back at most once per
    channel and still reaches the person once.
    """
    other = await uow.accounts.other_account(item.account_id, platforms)
    members = await uow.outbox.members(item.id)  # a message of several reports moves whole (each its own copy)
    if other is None or not members:
        return None
    account_id, platform = other
    copies = [
        NewDelivery(
            keys.fallback(m.dedup_key, platform.value),
            account_id,
            m.kind,
            m.text,
            m.priority,
            m.notice_id,
            m.choices,
            m.period_id,
            part=m.part,
        )
        for m in members
    ]
    return platform.value if await uow.outbox.enqueue(copies, now) else None


async def blocked(
    uow: UnitOfWork, item: ClaimedDelivery, reason: str, platforms: Collection[Platform], now: datetime
) -> str | None:
    """The person blocked the bot on this account: never retried, nothing more queued for it."""
    moved = await fall_back(uow, item, platforms, now)
    await uow.outbox.mark_final(item.id, DeliveryStatus.BLOCKED, reason)
    await uow.accounts.block(item.account_id, now)
    return moved


async def unavailable(
    uow: UnitOfWork,
    item: ClaimedDelivery,
    reason: str,
    until: datetime | None,
    platforms: Collection[Platform],
    now: datetime,
    retry: RetryPolicy,
) -> str | None:
    """The channel cannot carry it now (quota): the other app takes it, else it waits, never lost."""
    moved = await fall_back(uow, item, platforms, now)
    if moved:
        await uow.outbox.mark_final(item.id, DeliveryStatus.FAILED, f"{reason}; sent via {moved}")
    else:
        await uow.outbox.mark_retry(item.id, reason, until or now + retry.cap)
    return moved


async def flood_wait(uow: UnitOfWork, item: ClaimedDelivery, reason: str, retry_after: float, now: datetime) -> None:
    """Flood control longer than a sender holds a message: back to the queue for after the pause,
    with no attempt counted (the platform paused the whole channel; the message did nothing wrong)."""
    await uow.outbox.mark_retry(item.id, reason, now + timedelta(seconds=retry_after), count_attempt=False)


async def failed(uow: UnitOfWork, item: ClaimedDelivery, reason: str) -> None:
    await uow.outbox.mark_final(item.id, DeliveryStatus.FAILED, reason)


async def retry_later(
    uow: UnitOfWork, item: ClaimedDelivery, reason: str, retry_after: float | None, now: datetime, retry: RetryPolicy
) -> datetime | None:
    """Try again after the backoff; returns when, or None when attempts are spent (marked failed)."""
    attempt = item.attempts + 1
    if attempt >= retry.max_attempts:
        await uow.outbox.mark_final(item.id, DeliveryStatus.FAILED, reason)
        return None
    next_at = now + retry.delay(attempt, retry_after)
    await uow.outbox.mark_retry(item.id, reason, next_at)
    return next_at
