"""`nhacviec run`: one process with the scheduler, the outbox sender and the configured channels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.console.channel import ConsoleChannel
from core.deadlines import VN_TZ
from core.ports import Channel
from models import db
from nhacviec.config import Settings
from scheduler.calendar import load_calendar
from scheduler.engine import ReminderEngine
from scheduler.policy import ReminderPolicy
from scheduler.sender import OutboxSender

log = logging.getLogger("nhacviec")


def policy_from(settings: Settings) -> ReminderPolicy:
    return ReminderPolicy(
        offsets_days=tuple(settings.reminder_offsets_days),
        send_time=settings.reminder_send_time,
        work_start=settings.working_hours_start,
        work_end=settings.working_hours_end,
        overdue_every=settings.overdue_every_working_days,
        overdue_max=settings.overdue_max_reminders,
        escalate_after=settings.escalate_after_working_days,
    )


def channels_from(settings: Settings) -> dict[str, Channel]:
    """The console channel always; Telegram and Zalo join here when their issues land."""
    return {"console": ConsoleChannel()}


async def run_service(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or ``stop`` is set); pending deliveries stay in the database."""
    engine = db.make_engine(settings.database_url, settings.database_schema)
    await db.require_current_schema(engine)
    sessions = db.session_factory(engine)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
    channels = channels_from(settings)
    sender = OutboxSender(sessions, channels)
    scheduler = AsyncIOScheduler(timezone=VN_TZ)
    reminders = ReminderEngine(
        sessions,
        policy_from(settings),
        load_calendar(settings.calendar_file),
        sender,
        scheduler,
        grace=timedelta(hours=settings.missed_grace_hours),
    )
    scheduler.start()
    sender_task = asyncio.create_task(sender.run(stop))
    try:
        await reminders.start()
        jobs = sorted((j for j in scheduler.get_jobs() if j.next_run_time), key=lambda j: j.next_run_time)
        log.info("nhacviec is running with channels: %s", ", ".join(sorted(channels)))
        if jobs:
            log.info("next job: %s at %s", jobs[0].id, jobs[0].next_run_time.isoformat())
        await stop.wait()
    finally:
        log.info("stopping: the scheduler, then the sender (undelivered messages stay queued)")
        scheduler.shutdown(wait=False)
        stop.set()
        await sender_task
        await engine.dispose()
