"""What the reminder engine reads: periods with their owing agencies, live submissions, recipients."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.messages import ReportRef
from core.types import Role
from models import tables as t
from scheduler.planner import PlanningPeriod
from scheduler.policy import ReminderPolicy


@dataclass(frozen=True, slots=True)
class Recipient:
    account_id: int
    person_name: str
    agency_code: str
    agency_name: str
    language: str


@dataclass(frozen=True, slots=True)
class PlanningInputs:
    periods: list[PlanningPeriod]
    reports: dict[int, ReportRef]  # by period id
    submissions: dict[tuple[str, int], datetime]


async def load_inputs(
    session: AsyncSession, due_from: datetime, due_to: datetime, policy: ReminderPolicy
) -> PlanningInputs:
    """Periods due in [due_from, due_to] (active owing agencies only) and their live submissions."""
    receiver = t.Agency.__table__.alias("receiver")
    rows = (
        await session.execute(
            select(t.ReportPeriod, t.ReportSeries, t.Plan.number, receiver.c.name)
            .join(t.ReportSeries, t.ReportSeries.id == t.ReportPeriod.series_id)
            .join(t.Plan, t.Plan.id == t.ReportSeries.plan_id)
            .join(receiver, receiver.c.id == t.ReportSeries.receiver_agency_id)
            .where(t.ReportPeriod.due_at >= due_from, t.ReportPeriod.due_at <= due_to)
            .order_by(t.ReportPeriod.due_at, t.ReportPeriod.id)
        )
    ).all()
    ids = [p.id for p, *_ in rows]
    owing: dict[int, list[str]] = defaultdict(list)
    for pid, code in (
        await session.execute(
            select(t.PeriodAgency.period_id, t.Agency.code)
            .join(t.Agency, t.Agency.id == t.PeriodAgency.agency_id)
            .where(t.PeriodAgency.period_id.in_(ids), t.Agency.active.is_(True))
            .order_by(t.Agency.kind, t.Agency.id)
        )
    ).all():
        owing[pid].append(code)
    subs = {
        (code, pid): at
        for pid, code, at in (
            await session.execute(
                select(t.Submission.period_id, t.Agency.code, t.Submission.confirmed_at)
                .join(t.Agency, t.Agency.id == t.Submission.agency_id)
                .where(t.Submission.period_id.in_(ids), t.Submission.undone_at.is_(None))
            )
        ).all()
    }
    periods, reports = [], {}
    for p, s, number, receiver_name in rows:
        periods.append(
            PlanningPeriod(
                period_id=p.id,
                plan_number=number,
                series_code=s.code,
                key=p.key,
                label=p.label,
                opens_at=p.opens_at,
                due_at=p.due_at,
                agencies=tuple(owing[p.id]),
                policy=policy.with_overrides(s.policy),
            )
        )
        reports[p.id] = ReportRef(p.label, number, p.due_at, s.wording, receiver_name)
    return PlanningInputs(periods, reports, subs)


async def recipients(
    session: AsyncSession, role: Role | None, agency_codes: tuple[str, ...] | None = None
) -> list[Recipient]:
    """One account per active person with ``role`` (any role if None), in these agencies if given.

    The account is the person's preferred one (/kenh) if it is active and unblocked, else their first
    active, unblocked account: each message reaches a person once, on one channel.
    """
    q = (
        select(
            t.ChatAccount.id, t.Person.display_name, t.Agency.code, t.Agency.name, t.ChatAccount.language, t.Person.id
        )
        .join(t.Person, t.Person.id == t.ChatAccount.person_id)
        .join(t.Agency, t.Agency.id == t.Person.agency_id)
        .where(
            t.Person.active.is_(True),
            t.ChatAccount.active.is_(True),
            t.ChatAccount.blocked_at.is_(None),
        )
        .order_by(t.Agency.code, t.Person.id, t.ChatAccount.preferred.desc(), t.ChatAccount.id)
    )
    if role is not None:
        q = q.where(t.Person.role == role.value)
    if agency_codes is not None:
        q = q.where(t.Agency.code.in_(agency_codes))
    seen: set[int] = set()
    out = []
    for *fields, person_id in (await session.execute(q)).all():
        if person_id not in seen:
            seen.add(person_id)
            out.append(Recipient(*fields))
    return out


async def handled_keys(session: AsyncSession, since: datetime) -> set[str]:
    return set((await session.scalars(select(t.ReminderRun.key).where(t.ReminderRun.at >= since))).all())
