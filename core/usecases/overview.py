"""The compliance picture: one period's tally, the export rows, the daily digest."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from core.deadlines import start_of_day, to_vn
from core.messages import DigestDeliveries, DigestPeriod
from core.repositories import UnitOfWork
from core.standing import Tally, due_within, past, tally
from core.types import Actor, DeliveryStatus, ExportRow, Period, PeriodStatusRow
from core.usecases import people
from core.usecases.plan import period as find_period
from core.usecases.plan import week_of
from core.usecases.rules import Rules, effective_rules, require_admin

DIGEST_RECENT = timedelta(days=31)  # a period stays in the digest this long after its deadline while owed


@dataclass(frozen=True, slots=True)
class Overview:
    period: Period
    tally: Tally


async def overview(uow: UnitOfWork, actor: Actor, ref: str | None, now: datetime, rules: Rules) -> Overview:
    """On time / late / not yet sent for one period (default: the most recently due)."""
    require_admin(actor)
    p = await find_period(uow, ref, now)
    return Overview(p, await period_tally(uow, p, now, rules))


async def period_tally(uow: UnitOfWork, p: Period, now: datetime, rules: Rules) -> Tally:
    """Every owing agency of the period judged at ``now``, with whether it was reminded and saw a reminder."""
    deadlines = (await effective_rules(uow, rules)).deadlines
    return tally(p.due_at, await status(uow, p.id), deadlines, now)


async def status(uow: UnitOfWork, period_id: int) -> list[PeriodStatusRow]:
    """Each owing agency's standing for the period, with whether it was reminded and saw a reminder."""
    reach = await uow.outbox.reach(period_id)
    return [
        replace(r, reminded=reach[r.agency.id].reminded, seen=reach[r.agency.id].seen) if r.agency.id in reach else r
        for r in await uow.periods.status(period_id)
    ]


async def export_rows(uow: UnitOfWork, actor: Actor, ref: str | None, now: datetime, rules: Rules) -> list[ExportRow]:
    """One row per agency and period (every period, or the one ``ref`` names)."""
    require_admin(actor)
    chosen = [await find_period(uow, ref, now)] if ref else await uow.periods.all()
    return [ExportRow(p, j.row, j.standing) for p in chosen for j in (await period_tally(uow, p, now, rules)).rows]


async def digest_periods(uow: UnitOfWork, now: datetime, rules: Rules) -> list[DigestPeriod]:
    """Open periods and recently overdue ones still owed, with their tallies."""
    out = []
    deadlines = (await effective_rules(uow, rules)).deadlines
    for p in await uow.periods.all(due_from=now - DIGEST_RECENT):
        if p.opens_at > now:
            continue
        counted = tally(p.due_at, await uow.periods.status(p.id), deadlines, now)
        if past(p.due_at, deadlines, now) and not counted.not_sent:
            continue  # its deadline has passed and every agency sent
        overdue = counted.overdue
        escalated = tuple(j.row.agency.name for j in overdue if j.verdict.days >= rules.policy.escalate_after)
        out.append(
            DigestPeriod(
                p.label,
                p.due_at,
                len(counted.on_time),
                len(counted.late),
                len(counted.not_sent),
                escalated,
                p.plan_number,
                deadlines.extended_to(p.due_at),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class WeekPeriod:
    """A period whose last day falls in the week, with its tally: what Sở Nội vụ watches on "Tuần này"."""

    period: Period
    last_day: date  # the plan's day, or the working day the law runs a day off on to (Điều 148)
    tally: Tally


async def week(uow: UnitOfWork, actor: Actor, now: datetime, rules: Rules) -> tuple[date, date, list[WeekPeriod]]:
    """The province's week at a glance (issue 30): every period of every plan whose last day falls in the week of
    ``now`` (Monday to Sunday), with on time / late / not yet sent and the agencies overdue; by last day, then plan."""
    require_admin(actor)
    deadlines = (await effective_rules(uow, rules)).deadlines
    monday, sunday = week_of(now)
    found = await uow.periods.all(
        due_from=start_of_day(monday) - timedelta(days=10), due_to=start_of_day(sunday + timedelta(days=1))
    )
    out = []
    for p in found:
        if due_within(p.due_at, deadlines, monday, sunday):  # as /tuannay counts it
            last = deadlines.last_day(p.due_at)
            out.append(WeekPeriod(p, last, tally(p.due_at, await status(uow, p.id), deadlines, now)))
    out.sort(key=lambda w: (w.last_day, w.period.plan_number, w.period.label))
    return monday, sunday, out


async def digest_deliveries(uow: UnitOfWork, now: datetime) -> DigestDeliveries:
    """Yesterday's deliveries by outcome, and the people who blocked the bot."""
    today = start_of_day(to_vn(now).date())
    counts = await uow.outbox.status_counts(today - timedelta(days=1), today)
    return DigestDeliveries(
        sent=counts.get(DeliveryStatus.SENT, 0),
        failed=counts.get(DeliveryStatus.FAILED, 0),
        blocked=counts.get(DeliveryStatus.BLOCKED, 0),
        blocked_recipients=tuple(await uow.accounts.blocked_people()),
        unreached=await people.count_unreached(uow, now),
    )
