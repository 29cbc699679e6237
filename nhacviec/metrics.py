"""The service's Prometheus metrics (prometheus-client), one registry per service.

Counters of what this process did (sends by channel and outcome, 429 pauses, reminder points fired,
leadership changes) are kept as it happens; figures of the shared database (deliveries by status and
kind, the queue and the age of its oldest row, the Zalo quota used) are read when /metrics is asked.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from core.deadlines import utcnow
from core.repositories import UnitOfWorkFactory
from core.types import Platform
from core.usecases import health

log = logging.getLogger(__name__)
READ_TIMEOUT = 3.0  # seconds the database figures may take before /metrics answers without them


class _FloodPauses(Collector):
    """429 answers per channel, as counted by each bot's pacer (the one place every send waits)."""

    def __init__(self, pauses: Callable[[], Mapping[str, int]]) -> None:
        self._pauses = pauses

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "nhacviec_flood_pauses", "Flood-control answers (HTTP 429) per channel", labels=["channel"]
        )
        for channel, n in sorted(self._pauses().items()):
            family.add_metric([channel], n)
        yield family


class Metrics:
    """The ``Telemetry`` of the sender and the reminder engine, and what /metrics shows."""

    def __init__(self, uows: UnitOfWorkFactory, zalo_quota: int) -> None:
        self.uows = uows
        self.pauses: Callable[[], Mapping[str, int]] = dict
        r = self.registry = CollectorRegistry()
        self.sends = Counter(
            "nhacviec_sends", "Send attempts by channel and outcome", ["channel", "outcome"], registry=r
        )
        self.points = Counter("nhacviec_reminder_points_fired", "Reminder points fired by this instance", registry=r)
        self.queued = Counter(
            "nhacviec_reminder_deliveries_queued",
            "Messages queued by the reminder points this instance fired",
            registry=r,
        )
        self.leader = Gauge("nhacviec_leader", "1 on the instance that runs the scheduler and the pollers", registry=r)
        self.leader_changes = Counter(
            "nhacviec_leadership_changes", "Times this instance took or lost the lead", ["change"], registry=r
        )
        self.last_drain = Gauge(
            "nhacviec_outbox_last_drain_timestamp_seconds", "When a drain of the outbox last finished", registry=r
        )
        self.ready = Gauge("nhacviec_ready", "1 while /readyz answers 200", registry=r)
        self.database_up = Gauge(
            "nhacviec_database_up", "1 if the last read of the database figures worked", registry=r
        )
        self.deliveries = Gauge(
            "nhacviec_deliveries", "Deliveries in the database by status and kind", ["status", "kind"], registry=r
        )
        self.waiting = Gauge("nhacviec_outbox_waiting", "Deliveries pending or being sent", registry=r)
        self.oldest = Gauge(
            "nhacviec_outbox_oldest_waiting_age_seconds",
            "Age of the oldest delivery still to send (0: none)",
            registry=r,
        )
        self.zalo_used = Gauge("nhacviec_zalo_quota_used", "Zalo messages sent this calendar month", registry=r)
        self.zalo_quota = Gauge("nhacviec_zalo_quota", "Zalo messages allowed a calendar month", registry=r)
        self.zalo_quota.set(zalo_quota)
        r.register(_FloodPauses(lambda: self.pauses()))

    # ------------------------------------------------------------------ Telemetry

    def send_outcome(self, platform: Platform, outcome: str) -> None:
        self.sends.labels(platform.value, outcome).inc()

    def drained(self) -> None:
        self.last_drain.set(time.time())

    def point_fired(self, deliveries: int) -> None:
        self.points.inc()
        self.queued.inc(deliveries)

    def leading(self, leads: bool) -> None:
        self.leader.set(1 if leads else 0)
        self.leader_changes.labels("took" if leads else "lost").inc()

    # ------------------------------------------------------------------ /metrics

    async def render(self) -> bytes:
        """The text exposition format, after reading the database figures (kept as they were if it fails)."""
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                await self._read()
        except Exception as exc:  # the database is down: say so, and show the rest
            log.warning("metrics: could not read the database figures (%s)", type(exc).__name__)
            self.database_up.set(0)
        else:
            self.database_up.set(1)
        return generate_latest(self.registry)

    async def _read(self) -> None:
        now = utcnow()
        async with self.uows() as uow:
            found = await health.figures(uow, now)
        self.deliveries.clear()
        for (status, kind), n in sorted(found.outbox.by_status_kind.items()):
            self.deliveries.labels(status, kind).set(n)
        self.waiting.set(found.outbox.waiting)
        oldest = found.outbox.oldest_waiting
        self.oldest.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        self.zalo_used.set(found.zalo_used)
