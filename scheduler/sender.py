"""Drains the delivery outbox through the channels, with durable retries.

Each row is claimed ('sending') and committed before the channel is called, and marked after, so a
crash can repeat at most the message in flight: on restart its stale claim is released and sent again.
Retries are scheduled in the database (``next_attempt_at``), not in memory, so they survive restarts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.deadlines import utcnow
from core.ports import (
    Channel,
    ChannelUnavailableError,
    OutgoingMessage,
    PermanentSendError,
    RecipientBlockedError,
    TransientSendError,
)
from core.types import DeliveryStatus
from models import outbox

log = logging.getLogger(__name__)


@dataclass
class DrainStats:
    sent: int = 0
    retried: int = 0
    blocked: int = 0
    failed: int = 0


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 8

    def delay(self, attempt: int, retry_after: float | None) -> timedelta:
        """Exponential backoff for the attempt just failed (1-based), never sooner than the platform asks."""
        backoff: timedelta = min(self.cap, self.base * (2 ** (attempt - 1)))
        return max(backoff, timedelta(seconds=retry_after or 0))


class OutboxSender:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Mapping[str, Channel],
        retry: RetryPolicy | None = None,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 50,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.channels = dict(channels)
        self.retry = retry or RetryPolicy()
        self.lease = lease
        self.batch = batch
        self.clock = clock
        self._wake = asyncio.Event()

    def kick(self) -> None:
        """Ask the running loop to drain now (after new deliveries were written)."""
        self._wake.set()

    async def drain_once(self) -> DrainStats:
        """Send everything that is due now; returns what happened."""
        stats = DrainStats()
        async with self.sessions.begin() as session:
            released = await outbox.release_stale_claims(session, self.clock(), self.lease)
        if released:
            log.warning("released %d deliveries left in flight by a stopped sender", released)
        while True:
            async with self.sessions.begin() as session:
                claimed = await outbox.claim_due(session, self.clock(), self.batch, self.channels.keys())
            if not claimed:
                return stats
            for item in claimed:
                await self._send_one(item, stats)

    async def _send_one(self, item: outbox.ClaimedDelivery, stats: DrainStats) -> None:
        channel = self.channels[item.platform]
        now = self.clock
        try:
            message_id = await channel.send(item.chat_id, OutgoingMessage(item.text, item.choices, item.priority))
        except RecipientBlockedError as exc:
            async with self.sessions.begin() as session:
                moved = await outbox.fall_back(session, item.id, self.channels.keys(), now())
                await outbox.mark_final(session, item.id, DeliveryStatus.BLOCKED, str(exc), now(), item.account_id)
            stats.blocked += 1
            log.info(
                "delivery %d: recipient blocked the bot%s", item.id, f"; sent via {moved} instead" if moved else ""
            )
        except ChannelUnavailableError as exc:
            async with self.sessions.begin() as session:
                moved = await outbox.fall_back(session, item.id, self.channels.keys(), now())
                if moved:
                    await outbox.mark_final(
                        session, item.id, DeliveryStatus.FAILED, f"{exc}; sent via {moved}", now(), item.account_id
                    )
                    stats.failed += 1
                else:  # nowhere else to send it: keep it until the channel is back, never lose it
                    await outbox.mark_retry(session, item.id, str(exc), exc.until or now() + self.retry.cap)
                    stats.retried += 1
            log.warning("delivery %d: %s%s", item.id, exc, f"; sent via {moved} instead" if moved else "; kept")
        except PermanentSendError as exc:
            async with self.sessions.begin() as session:
                await outbox.mark_final(session, item.id, DeliveryStatus.FAILED, str(exc), now(), item.account_id)
            stats.failed += 1
            log.warning("delivery %d failed for good: %s", item.id, exc)
        except TransientSendError as exc:
            async with self.sessions.begin() as session:
                await self._retry(session, item, str(exc), exc.retry_after, stats)
        except Exception as exc:  # a channel bug must not stop the outbox; retried like a network error
            log.exception("delivery %d: unexpected error from the %s channel", item.id, item.platform)
            async with self.sessions.begin() as session:
                await self._retry(session, item, f"{type(exc).__name__}: {exc}", None, stats)
        else:
            async with self.sessions.begin() as session:
                await outbox.mark_sent(session, item.id, message_id, now())
            stats.sent += 1

    async def _retry(
        self,
        session: AsyncSession,
        item: outbox.ClaimedDelivery,
        error: str,
        retry_after: float | None,
        stats: DrainStats,
    ) -> None:
        attempt = item.attempts + 1
        if attempt >= self.retry.max_attempts:
            await outbox.mark_final(session, item.id, DeliveryStatus.FAILED, error, self.clock(), item.account_id)
            stats.failed += 1
            log.warning("delivery %d failed after %d attempts: %s", item.id, attempt, error)
            return
        next_at = self.clock() + self.retry.delay(attempt, retry_after)
        await outbox.mark_retry(session, item.id, error, next_at)
        stats.retried += 1
        log.info("delivery %d: attempt %d failed (%s); next at %s", item.id, attempt, error, next_at.isoformat())

    async def run(self, stop: asyncio.Event, poll_seconds: float = 5.0) -> None:
        """Drain whenever kicked, and every ``poll_seconds`` for retries that came due."""
        while not stop.is_set():
            try:
                await self.drain_once()
            except Exception:  # the database may be briefly unavailable; try again on the next tick
                log.exception("outbox drain failed; retrying in %.0f s", poll_seconds)
            self._wake.clear()
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=poll_seconds, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            stopper.cancel()
