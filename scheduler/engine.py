"""Firing reminders with APScheduler 3 (AsyncIOScheduler). The database is the source of truth.

Jobs are derived from the database at start and re-derived every day at 00:05 (and whenever
``reschedule`` is called after periods, policy or calendar change); nothing is pickled. A point is
handled once: its key goes into ``reminder_run`` in the same transaction as its deliveries, so a
restart, a second instance or a late APScheduler job cannot send it twice. At each point the plan is
re-computed from the database, so an agency that has just confirmed its submission is left out.
Jobs hold bound methods: the memory job store never serialises them, and only ids travel as arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import messages
from core.deadlines import VN_TZ, to_vn, utcnow
from core.types import Role
from models import outbox
from models import tables as t
from models.reminders import PlanningInputs, Recipient, handled_keys, load_inputs, recipients
from scheduler.calendar import WorkCalendar
from scheduler.digest import digest_deliveries, digest_periods
from scheduler.planner import PointKind, ReminderPoint, plan_reminders
from scheduler.policy import ReminderPolicy
from scheduler.sender import OutboxSender

log = logging.getLogger(__name__)
JOB_PREFIX = "point:"
PRIORITY = {
    PointKind.ESCALATION: 1,
    PointKind.OVERDUE: 2,
    PointKind.DUE: 3,
    PointKind.BEFORE: 3,
    PointKind.DIGEST: 6,
}
ROLE = {PointKind.ESCALATION: Role.LEADER, PointKind.DIGEST: Role.ADMIN}
# How far around a window periods are loaded: overdue points come weeks after a deadline (Tết
# included), before-reminders up to the largest offset (plus moves to earlier working days) before it.
AFTER_DUE = timedelta(days=60)
BEFORE_DUE = timedelta(days=400)


async def plan_window(
    session: AsyncSession, policy: ReminderPolicy, calendar: WorkCalendar, start: datetime, end: datetime
) -> tuple[PlanningInputs, list[ReminderPoint]]:
    """The points in [start, end] as the database stands now (periods, submissions, series policies)."""
    inputs = await load_inputs(session, start - AFTER_DUE, end + BEFORE_DUE, policy)
    return inputs, plan_reminders(inputs.periods, inputs.submissions, calendar, start, end, policy)


class ReminderEngine:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        policy: ReminderPolicy,
        calendar: WorkCalendar,
        sender: OutboxSender,
        scheduler: AsyncIOScheduler,
        grace: timedelta = timedelta(hours=24),
        lookback: timedelta = timedelta(days=45),
        horizon: timedelta = timedelta(days=2),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.policy = policy
        self.calendar = calendar
        self.sender = sender
        self.scheduler = scheduler
        self.grace = grace
        self.lookback = lookback
        self.horizon = horizon
        self.clock = clock

    # ------------------------------------------------------------------ planning

    async def plan(
        self, session: AsyncSession, start: datetime, end: datetime
    ) -> tuple[PlanningInputs, list[ReminderPoint]]:
        return await plan_window(session, self.policy, self.calendar, start, end)

    # ------------------------------------------------------------------ lifecycle

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

    async def roll_forward(self) -> None:
        """Daily: handle anything missed and schedule the next days' points."""
        await self.catch_up()
        await self.reschedule()

    async def reschedule(self) -> int:
        """Derive the APScheduler jobs for the next ``horizon`` from the database; returns how many."""
        now = self.clock()
        async with self.sessions() as session:
            _, points = await self.plan(session, now, now + self.horizon)
            done = await handled_keys(session, now - self.lookback)
        wanted = {JOB_PREFIX + p.key: p for p in points if p.key not in done and p.at > now}
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

    # ------------------------------------------------------------------ firing

    async def fire_key(self, key: str, at: datetime) -> int:
        """An APScheduler job: re-plan the point's instant from the database and fire it."""
        async with self.sessions() as session:
            inputs, points = await self.plan(session, at, at)
        point = next((p for p in points if p.key == key), None)
        if point is None:  # everyone submitted, or the period changed since the job was scheduled
            await self._mark(key, at, "nothing")
            return 0
        return await self.fire(point, inputs)

    async def fire(
        self, point: ReminderPoint, inputs: PlanningInputs, also_handled: tuple[ReminderPoint, ...] = ()
    ) -> int:
        """Write the point's deliveries and its handled mark in one transaction; kick the sender."""
        now = self.clock()
        try:
            async with self.sessions.begin() as session:
                if await session.scalar(select(t.ReminderRun.id).where(t.ReminderRun.key == point.key)):
                    return 0
                run = t.ReminderRun(key=point.key, at=point.at, handled_at=now, outcome="fired", deliveries=0)
                session.add(run)
                session.add_all(
                    t.ReminderRun(key=p.key, at=p.at, handled_at=now, outcome="collapsed", deliveries=0)
                    for p in also_handled
                )
                await session.flush()
                items = await self._deliveries(session, point, inputs, now)
                run.deliveries = await outbox.enqueue(session, items, now)
        except IntegrityError:
            log.info("point %s was handled by another worker", point.key)
            return 0
        log.info("fired %s: %d deliveries", point.key, run.deliveries)
        self.sender.kick()
        return run.deliveries

    async def _mark(self, key: str, at: datetime, outcome: str) -> None:
        try:
            async with self.sessions.begin() as session:
                if not await session.scalar(select(t.ReminderRun.id).where(t.ReminderRun.key == key)):
                    session.add(t.ReminderRun(key=key, at=at, handled_at=self.clock(), outcome=outcome, deliveries=0))
        except IntegrityError:
            pass

    async def _deliveries(
        self, session: AsyncSession, point: ReminderPoint, inputs: PlanningInputs, now: datetime
    ) -> list[outbox.NewDelivery]:
        role = ROLE.get(point.kind, Role.FOCAL)
        if point.kind is PointKind.DIGEST:
            people = await recipients(session, role)
            periods = await digest_periods(session, now, self.calendar, self.policy)
            deliveries = await digest_deliveries(session, now)
            if not periods and not deliveries.sent + deliveries.failed + deliveries.blocked:
                return []  # nothing to report: no daily noise
            return [
                outbox.NewDelivery(
                    f"{point.key}#{r.account_id}",
                    r.account_id,
                    point.kind.value,
                    messages.digest(r.language, r.person_name, point.at, periods, deliveries),
                    PRIORITY[point.kind],
                )
                for r in people
            ]
        assert point.period_id is not None
        report = inputs.reports[point.period_id]
        people = await recipients(session, role, point.agencies)
        return [
            outbox.NewDelivery(
                f"{point.key}#{r.account_id}",
                r.account_id,
                point.kind.value,
                self._text(point, report, r),
                PRIORITY[point.kind],
            )
            for r in people
        ]

    def _text(self, point: ReminderPoint, report: messages.ReportRef, r: Recipient) -> str:
        if point.kind in (PointKind.BEFORE, PointKind.DUE):
            days_left = (to_vn(report.due_at).date() - to_vn(point.at).date()).days
            return messages.reminder_before(r.language, r.person_name, r.agency_name, report, days_left)
        if point.kind is PointKind.OVERDUE:
            return messages.reminder_overdue(r.language, r.person_name, r.agency_name, report, point.offset)
        return messages.escalation(r.language, r.person_name, r.agency_name, report, point.offset)

    # ------------------------------------------------------------------ after an outage

    async def catch_up(self) -> int:
        """Handle points missed while the service was down.

        Within ``grace`` a missed point fires as it was planned (a digest only on its own day).
        Older missed points of a period whose deadline has passed collapse into one up-to-date overdue
        message (and, if an escalation was missed, one escalation) per period for the agencies still
        missing; older before-deadline points are stale and only marked handled.
        """
        now = self.clock()
        async with self.sessions() as session:
            inputs, points = await self.plan(session, now - self.lookback, now)
            done = await handled_keys(session, now - self.lookback)
        missed = [p for p in points if p.key not in done]
        recent = [p for p in missed if now - p.at <= self.grace]
        old = [p for p in missed if now - p.at > self.grace]
        fired = 0
        for p in recent:
            if p.kind is PointKind.DIGEST and to_vn(p.at).date() != to_vn(now).date():
                await self._mark(p.key, p.at, "stale")  # a summary of an earlier day is no use today
                continue
            fired += await self.fire(p, inputs)
        # Older missed points: per period, what the agencies still missing need to hear now, once.
        recent_kinds = {(p.period_id, p.kind is PointKind.ESCALATION) for p in recent}
        groups: dict[tuple[int | None, bool], list[ReminderPoint]] = {}
        for p in old:
            groups.setdefault((p.period_id, p.kind is PointKind.ESCALATION), []).append(p)
        for (period_id, is_escalation), group in groups.items():
            due_passed = group[-1].due_at is not None and group[-1].due_at < now
            if period_id is None or not due_passed or (period_id, is_escalation) in recent_kinds:
                for p in group:
                    await self._mark(p.key, p.at, "stale")
                continue
            fired += await self._collapse(group, inputs, now)
        return fired

    async def _collapse(self, group: list[ReminderPoint], inputs: PlanningInputs, now: datetime) -> int:
        """One up-to-date message (of the group's kind) for the agencies of the period still missing."""
        latest = group[-1]
        assert latest.period_id is not None and latest.due_at is not None
        pid = latest.period_id
        missing = tuple(
            c for c in latest.agencies if (c, pid) not in inputs.submissions or inputs.submissions[(c, pid)] > now
        )
        if not missing:
            for p in group:
                await self._mark(p.key, p.at, "stale")
            return 0
        kind = PointKind.ESCALATION if latest.kind is PointKind.ESCALATION else PointKind.OVERDUE
        overdue_days = self.calendar.working_days_between(to_vn(latest.due_at).date(), to_vn(now).date())
        summary = ReminderPoint(
            key=f"{latest.key}:catchup",
            at=now,
            kind=kind,
            offset=max(overdue_days, 1),
            period_id=pid,
            label=latest.label,
            due_at=latest.due_at,
            agencies=missing,
        )
        return await self.fire(summary, inputs, also_handled=tuple(group))
