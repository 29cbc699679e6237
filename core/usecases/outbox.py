"""What happens to an outbox row after a send attempt: sent, retried, moved to the other app, or final."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from core import keys
from core.repositories import UnitOfWork
from core.types import ClaimedDelivery, DeliveryStatus, NewDelivery, Platform


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
    """Due rows for these platforms, marked as being sent by this caller (``instance``, when a service)."""
    return await uow.outbox.claim_due(now, limit, platforms, instance)


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
    original = await uow.outbox.get(item.id)
    if other is None or original is None:
        return None
    account_id, platform = other
    copy = NewDelivery(
        keys.fallback(original.dedup_key, platform.value),
        account_id,
        original.kind,
        original.text,
        original.priority,
        original.notice_id,
        original.choices,
    )
    return platform.value if await uow.outbox.enqueue([copy], now) else None


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
