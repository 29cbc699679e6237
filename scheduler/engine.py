"""Firing reminders with APScheduler 3 (AsyncIOScheduler). The database is the source of truth.

Jobs are derived from the database at start, re-derived every ``RESYNC_MINUTES`` (a calendar day added
from the CLI reaches a running service that way) and every day at 00:05 (and whenever ``reschedule`` is
called after periods or submissions change); nothing is pickled. A job whose point the calendar has moved
does not mark it handled (``core.usecases.reminders.fire_key``). What a point
sends, and that it is handled once, is decided by ``core.usecases.reminders`` inside one unit of work:
the point's key is written with its deliveries, so a restart, a second instance or a late APScheduler
job cannot send it twice. Jobs hold bound methods: the memory job store never serialises them, and only
ids travel as arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.deadlines import VN_TZ, to_vn, utcnow
from core.ports import NoTelemetry, Telemetry
from core.repositories import Conflict, UnitOfWorkFactory
from core.usecases import inbound, privacy, reminders
from core.usecases.rules import Rules
from scheduler.sender import OutboxSender

log = logging.getLogger(__name__)
JOB_PREFIX = "point:"
RESYNC_MINUTES = 5


class ReminderEngine:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        rules: Rules,
        sender: OutboxSender,
        scheduler: AsyncIOScheduler,
        grace: timedelta = timedelta(hours=24),
        lookback: timedelta = timedelta(days=45),
        horizon: timedelta = timedelta(days=2),
        clock: Callable[[], datetime] = utcnow,
        telemetry: Telemetry | None = None,
    ) -> None:
        self.uows = uows
        self.rules = rules
        self.sender = sender
        self.scheduler = scheduler
        self.grace = grace
        self.lookback = lookback
        self.horizon = horizon
        self.clock = clock
        self.telemetry: Telemetry = telemetry or NoTelemetry()

    async def start(self) -> None:
        """Catch up on what was missed while stopped, then schedule what comes next."""
        await self.catch_up()
        await self.reschedule()
        self.scheduler.add_job(
            self.roll_forward,
            CronTrigger(hour=0, minute=5, timezone=VN_TZ),
            id="roll-forward",
            replace_existing=True,
            misfire_grace_time=6 * 3600,
            coalesce=True,
        )
        # Another process (the CLI's `calendar add-off`, a second instance) may change what is due: derive
        # the jobs again from the database every few minutes, so no restart is ever needed.
        self.scheduler.add_job(
            self.reschedule,
            IntervalTrigger(minutes=RESYNC_MINUTES, timezone=VN_TZ),
            id="resync",
            replace_existing=True,
            misfire_grace_time=RESYNC_MINUTES * 60,
            coalesce=True,
        )

    def stop(self) -> None:
        """Remove every job of this engine (the instance is no longer the leader); ``start`` adds them again."""
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) or job.id in ("roll-forward", "resync"):
                job.remove()

    async def roll_forward(self) -> None:
        """Daily: handle anything missed, schedule the next days' points, forget old incoming update ids, clear
        message texts and audit records past their retention."""
        await self.catch_up()
        await self.reschedule()
        async with self.uows() as uow:
            forgotten = await inbound.forget_old(uow, self.clock())
            kept = await privacy.apply_retention(uow, self.rules, self.clock())
            await uow.commit()
        log.info("forgot %d incoming update ids older than %d days", forgotten, inbound.KEEP.days)
        log.info(
            "retention: cleared %d message texts older than %d days, deleted %d audit records older than %d years",
            kept.texts_cleared,
            self.rules.text_retention.days,
            kept.audit_deleted,
            self.rules.audit_retention_years,
        )

    async def reschedule(self) -> int:
        """Derive the APScheduler jobs for the next ``horizon`` from the database; returns how many."""
        now = self.clock()
        async with self.uows() as uow:
            points = await reminders.upcoming(uow, self.rules, now, self.horizon, self.lookback)
        wanted = {JOB_PREFIX + p.key: p for p in points}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, p in wanted.items():
            self.scheduler.add_job(
                self.fire_key,
                DateTrigger(run_date=p.at, timezone=VN_TZ),
                args=[p.key, p.at],
                id=job_id,
                replace_existing=True,
                misfire_grace_time=int(self.grace.total_seconds()),
                coalesce=True,
            )
        log.info("scheduled %d reminder points until %s", len(wanted), to_vn(now + self.horizon).isoformat())
        return len(wanted)

    async def fire_key(self, key: str, at: datetime) -> int:
        """An APScheduler job: fire the point as the database stands at its instant."""
        try:
            async with self.uows() as uow:
                queued = await reminders.fire_key(uow, self.rules, key, at, self.clock())
                await uow.commit()
        except Conflict:
            log.info("point %s was handled by another worker", key)
            return 0
        log.info("fired %s: %d deliveries", key, queued)
        self.telemetry.point_fired(queued)
        self.sender.kick()
        return queued

    async def catch_up(self) -> int:
        """Handle points missed while the service was down (see ``core.usecases.reminders.catch_up``)."""
        try:
            async with self.uows() as uow:
                queued = await reminders.catch_up(uow, self.rules, self.clock(), self.grace, self.lookback)
                await uow.commit()
        except Conflict:
            log.info("another worker caught up at the same time")
            return 0
        if queued:
            self.telemetry.point_fired(queued)
            self.sender.kick()
        return queued
