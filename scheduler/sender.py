"""Drains the delivery outbox through the channels: concurrent per platform, paced, ordered per chat.

Each row is claimed ('sending') and committed before the channel is called, and marked after, so a
crash can repeat at most the messages in flight: on restart their stale claims are released and sent
again. Retries are scheduled in the database (``next_attempt_at``), not in memory, so they survive
restarts. What each outcome means for the row is decided by the use-cases in ``core.usecases.outbox``.

Concurrency: up to ``concurrency`` sends in flight per platform; the channel's own pacer (``bot/pacing``)
keeps the platform's rate limits. Order: one task per chat sends that chat's claimed rows one after the
other (by priority, then age), and the claim gives a chat nothing new while it has a row in flight.
Flood control: a channel waits out a short 429 pause itself (the refused message goes first after it);
a longer one arrives as ``FloodControlError`` and the row goes back to the queue for after the pause,
with no attempt counted.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.deadlines import utcnow
from core.ports import (
    Channel,
    ChannelUnavailableError,
    EditingChannel,
    FloodControlError,
    NoTelemetry,
    OutgoingMessage,
    PermanentSendError,
    RecipientBlockedError,
    Telemetry,
    TransientSendError,
)
from core.repositories import UnitOfWorkFactory
from core.types import ClaimedDelivery, Platform
from core.usecases import outbox
from core.usecases.outbox import RetryPolicy

log = logging.getLogger(__name__)

__all__ = ["DrainStats", "OutboxSender", "RetryPolicy"]


@dataclass
class DrainStats:
    sent: int = 0
    retried: int = 0
    blocked: int = 0
    failed: int = 0
    flood_waits: int = 0


ChatKey = tuple[Platform, str]


class OutboxSender:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        channels: Mapping[Platform, Channel],
        retry: RetryPolicy | None = None,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 50,
        clock: Callable[[], datetime] = utcnow,
        concurrency: int = 8,
        instance: int | None = None,
        telemetry: Telemetry | None = None,
    ) -> None:
        self.uows = uows
        self.channels = dict(channels)
        self.retry = retry or RetryPolicy()
        self.lease = lease
        self.batch = batch
        self.clock = clock
        self.concurrency = concurrency
        self.instance = instance  # the `nhacviec run` instance its claims name (None: a CLI drain)
        self.telemetry: Telemetry = telemetry or NoTelemetry()
        self.stopping = asyncio.Event()  # set: take no new claim, send no further row of a chat
        self._wake = asyncio.Event()
        self._draining = asyncio.Lock()

    def kick(self) -> None:
        """Ask the running loop to drain now (after new deliveries were written)."""
        self._wake.set()

    async def drain_once(self) -> DrainStats:
        """Send everything that is due now; returns what happened. One drain at a time per sender."""
        async with self._draining:
            return await self._drain()

    async def _drain(self) -> DrainStats:
        stats = DrainStats()
        async with self.uows() as uow:
            released = await outbox.release_stale(uow, self.clock(), self.lease, self.instance)
            await uow.commit()
        if released:
            log.warning("released %d deliveries left in flight by a stopped sender", released)
        slots = {p: asyncio.Semaphore(self.concurrency) for p in self.channels}
        queues: dict[ChatKey, list[tuple[int, int, ClaimedDelivery]]] = {}
        workers: dict[ChatKey, asyncio.Task[None]] = {}
        try:
            while True:
                claimed: list[ClaimedDelivery] = []
                if len(workers) < self.batch and not self.stopping.is_set():  # room for more chats
                    async with self.uows() as uow:
                        claimed = await outbox.claim(uow, self.clock(), self.batch, self.channels.keys(), self.instance)
                        await uow.commit()
                for item in claimed:
                    key = (item.platform, item.chat_id)
                    heapq.heappush(queues.setdefault(key, []), (item.priority, item.id, item))
                    if key not in workers:
                        workers[key] = asyncio.create_task(self._chat(key, queues, workers, slots, stats))
                if not workers:
                    self.telemetry.drained()
                    return stats
                if not claimed or len(workers) >= self.batch:
                    await asyncio.wait(list(workers.values()), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in workers.values():  # stopped from outside: in-flight rows stay claimed, released later
                task.cancel()

    async def _chat(
        self,
        key: ChatKey,
        queues: dict[ChatKey, list[tuple[int, int, ClaimedDelivery]]],
        workers: dict[ChatKey, asyncio.Task[None]],
        slots: dict[Platform, asyncio.Semaphore],
        stats: DrainStats,
    ) -> None:
        """Send one chat's rows in order; the task ends when its queue is empty."""
        queue = queues[key]
        try:
            while queue:
                async with slots[key[0]]:
                    if self.stopping.is_set():
                        break
                    _, _, item = heapq.heappop(queue)
                    try:
                        await self._send_one(item, stats)
                    except Exception:  # recording the outcome failed (the database?): the claim is released later
                        log.exception("delivery %d: could not record the outcome; it will be retried", item.id)
            if queue:  # stopping: what this chat was given and did not send goes back to the queue at once
                async with self.uows() as uow:
                    await outbox.unclaim(uow, [item.id for _, _, item in queue], self.clock())
                    await uow.commit()
        finally:
            del queues[key], workers[key]

    async def _send_one(self, item: ClaimedDelivery, stats: DrainStats) -> None:
        """Send one row and record what happened."""
        channel = self.channels[item.platform]
        message = OutgoingMessage(item.text, item.choices, item.priority, item.language)
        platforms = self.channels.keys()
        try:
            message_id = await self._deliver(channel, item, message)
        except FloodControlError as exc:
            stats.flood_waits += 1
            self.telemetry.send_outcome(item.platform, "flood")
            async with self.uows() as uow:
                await outbox.flood_wait(uow, item, str(exc), exc.retry_after, self.clock())
                await uow.commit()
            stats.retried += 1
        except RecipientBlockedError as exc:
            async with self.uows() as uow:
                moved = await outbox.blocked(uow, item, str(exc), platforms, self.clock())
                await uow.commit()
            stats.blocked += 1
            self.telemetry.send_outcome(item.platform, "blocked")
            log.info(
                "delivery %d: recipient blocked the bot%s", item.id, f"; sent via {moved} instead" if moved else ""
            )
        except ChannelUnavailableError as exc:
            async with self.uows() as uow:
                moved = await outbox.unavailable(uow, item, str(exc), exc.until, platforms, self.clock(), self.retry)
                await uow.commit()
            if moved:
                stats.failed += 1
            else:
                stats.retried += 1
            self.telemetry.send_outcome(item.platform, "failed" if moved else "retried")
            log.warning("delivery %d: %s%s", item.id, exc, f"; sent via {moved} instead" if moved else "; kept")
        except PermanentSendError as exc:
            async with self.uows() as uow:
                await outbox.failed(uow, item, str(exc))
                await uow.commit()
            stats.failed += 1
            self.telemetry.send_outcome(item.platform, "failed")
            log.warning("delivery %d failed for good: %s", item.id, exc)
        except TransientSendError as exc:
            await self._retry(item, str(exc), exc.retry_after, stats)
        except Exception as exc:  # a channel bug must not stop the outbox; retried like a network error
            log.exception("delivery %d: unexpected error from the %s channel", item.id, item.platform.value)
            await self._retry(item, f"{type(exc).__name__}: {exc}", None, stats)
        else:
            async with self.uows() as uow:
                await outbox.sent(uow, item, message_id, self.clock())
                await uow.commit()
            stats.sent += 1
            self.telemetry.send_outcome(item.platform, "sent")

    @staticmethod
    async def _deliver(channel: Channel, item: ClaimedDelivery, message: OutgoingMessage) -> str | None:
        """Send the row; an update of a sent message edits it where the channel can."""
        if item.edit_message_id is None or not isinstance(channel, EditingChannel):
            return await channel.send(item.chat_id, message)
        try:
            await channel.edit(item.chat_id, item.edit_message_id, message)
        except RecipientBlockedError:
            raise
        except PermanentSendError:  # deleted, too old, unchanged: say it anew rather than not at all
            return await channel.send(item.chat_id, message)
        return item.edit_message_id

    async def _retry(self, item: ClaimedDelivery, error: str, retry_after: float | None, stats: DrainStats) -> None:
        async with self.uows() as uow:
            next_at = await outbox.retry_later(uow, item, error, retry_after, self.clock(), self.retry)
            await uow.commit()
        self.telemetry.send_outcome(item.platform, "failed" if next_at is None else "retried")
        if next_at is None:
            stats.failed += 1
            log.warning("delivery %d failed after %d attempts: %s", item.id, item.attempts + 1, error)
        else:
            stats.retried += 1
            log.info(
                "delivery %d: attempt %d failed (%s); next at %s",
                item.id,
                item.attempts + 1,
                error,
                next_at.isoformat(),
            )

    async def run(self, stop: asyncio.Event, poll_seconds: float = 5.0) -> None:
        """Drain whenever kicked, and every ``poll_seconds`` for retries that came due. Once ``stop`` is set the
        drain under way takes no new claim and each chat stops after the message in flight."""
        watcher = asyncio.create_task(self._stop_when(stop))
        try:
            await self._loop(stop, poll_seconds)
        finally:
            watcher.cancel()

    async def _stop_when(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self.stopping.set()

    async def _loop(self, stop: asyncio.Event, poll_seconds: float) -> None:
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
