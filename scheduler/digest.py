"""The daily digest for Sở Nội vụ: per open period on time / late / missing, overdue agencies, and
yesterday's reminder deliveries."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.deadlines import start_of_day, to_vn
from core.messages import DigestDeliveries, DigestPeriod
from models import outbox, queries
from scheduler.calendar import WorkCalendar
from scheduler.policy import ReminderPolicy

RECENT = timedelta(days=31)  # a period stays in the digest this long after its deadline while agencies owe it


async def digest_periods(
    session: AsyncSession, now: datetime, cal: WorkCalendar, policy: ReminderPolicy
) -> list[DigestPeriod]:
    out = []
    today = to_vn(now).date()
    for p in await queries.list_periods(session, due_from=now - RECENT):
        if p.opens_at > now:
            continue
        rows = await queries.period_status(session, p.id)
        missing = [r for r in rows if r.submitted_at is None]
        if p.due_at < now and not missing:
            continue
        overdue_days = cal.working_days_between(to_vn(p.due_at).date(), today) if p.due_at < now else 0
        overdue = tuple(r.agency.name for r in missing) if overdue_days >= policy.escalate_after else ()
        out.append(
            DigestPeriod(
                label=p.label,
                due_at=p.due_at,
                on_time=sum(1 for r in rows if r.submitted_at and not r.late),
                late=sum(1 for r in rows if r.submitted_at and r.late),
                missing=len(missing),
                overdue_agencies=overdue,
            )
        )
    return out


async def digest_deliveries(session: AsyncSession, now: datetime) -> DigestDeliveries:
    today = start_of_day(to_vn(now).date())
    counts = await outbox.status_counts(session, today - timedelta(days=1), today)
    return DigestDeliveries(
        sent=counts.get("sent", 0),
        failed=counts.get("failed", 0),
        blocked=counts.get("blocked", 0),
        blocked_recipients=tuple(await outbox.blocked_people(session)),
    )
