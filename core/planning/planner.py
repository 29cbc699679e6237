"""Reminder planning as pure functions: periods, submissions, policy, calendar, window → points.

No I/O and no clock: the same inputs always give the same points, in the same order, with keys that
are stable across runs (``plan:series:period:kind:offset``), so the outbox can deduplicate on them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from core import keys
from core.deadlines import VN_TZ, to_vn
from core.planning.policy import ReminderPolicy
from core.standing import Deadlines
from core.types import Recurrence


class PointKind(enum.StrEnum):
    BEFORE = "before"
    DUE = "due"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    DIGEST = "digest"
    UNSEEN = "unseen"  # the deadline day: leaders of agencies where nobody saw a reminder nor sent


@dataclass(frozen=True, slots=True)
class PlanningPeriod:
    """One report period as the planner sees it."""

    period_id: int
    plan_number: str
    series_code: str
    key: str
    label: str
    opens_at: datetime
    due_at: datetime
    agencies: tuple[str, ...]  # codes of the agencies owing it
    policy: ReminderPolicy = field(default_factory=ReminderPolicy)
    recurrence: str = ""  # the series' regime (Recurrence's value): daily and weekly reports are reminded their own way


@dataclass(frozen=True, slots=True)
class ReminderPoint:
    key: str
    at: datetime
    kind: PointKind
    offset: int  # days before (before/due) or working days after (overdue/escalation) the deadline
    period_id: int | None
    label: str
    due_at: datetime | None
    agencies: tuple[str, ...]
    plan_number: str = ""  # the plan the period is of ("" for the digest)


def at_time(day: date, t: time) -> datetime:
    return datetime.combine(day, t, tzinfo=VN_TZ)


def _period_points(p: PlanningPeriod, deadlines: Deadlines) -> list[tuple[datetime, PointKind, int]]:
    """Every point of one period, before anyone has submitted (at, kind, offset). Reminders come before the
    plan's last day as written (on the working day before it, when it is a day off); overdue reminders and the
    escalation count working days from the last day allowed (the next working day, under Điều 148)."""
    pol = p.policy
    cal = deadlines.calendar
    due_day = to_vn(p.due_at).date()
    last_day = deadlines.last_day(p.due_at)
    # A daily report: one reminder on its day, a day off included (an emergency plan asks for that day's report too).
    if p.recurrence == Recurrence.DAILY:
        at = at_time(due_day, pol.send_time)
        if not p.opens_at <= at <= p.due_at:  # due before the morning reminder: an hour before it is due
            at = max(p.opens_at, p.due_at - timedelta(hours=1))
        return [(at, PointKind.DUE, 0)]
    if p.recurrence == Recurrence.WEEKLY:  # the day before and the day; chased once
        pol = replace(pol, offsets_days=tuple(o for o in pol.offsets_days if o <= 1) or (0,), overdue_max=1)
    by_day: dict[date, int] = {}
    for offset in sorted(set(pol.offsets_days), reverse=True):
        day = cal.previous_working_day(due_day - timedelta(days=offset))
        by_day[day] = offset  # sorted descending, so the last (smallest) offset on a day wins
    out: list[tuple[datetime, PointKind, int]] = []
    for day, offset in sorted(by_day.items()):
        at = at_time(day, pol.send_time)
        if p.opens_at <= at <= p.due_at:
            out.append((at, PointKind.DUE if offset == 0 else PointKind.BEFORE, offset))
    if pol.leader_unseen_at is not None:
        at = at_time(cal.previous_working_day(due_day), pol.leader_unseen_at)
        if p.opens_at <= at <= p.due_at:
            out.append((at, PointKind.UNSEEN, 0))
    for i in range(pol.overdue_max):
        n = 1 + i * pol.overdue_every
        out.append((at_time(cal.add_working_days(last_day, n), pol.send_time), PointKind.OVERDUE, n))
    esc = pol.escalate_after
    out.append((at_time(cal.add_working_days(last_day, esc), pol.send_time), PointKind.ESCALATION, esc))
    return out


def plan_reminders(
    periods: Iterable[PlanningPeriod],
    submissions: Mapping[tuple[str, int], datetime],
    deadlines: Deadlines,
    start: datetime,
    end: datetime,
    digest_policy: ReminderPolicy | None = None,
) -> list[ReminderPoint]:
    """The reminder points with ``start <= at <= end``, sorted by (at, key).

    ``submissions`` maps (agency code, period id) to the instant the submission was confirmed: the
    agency gets no point of that period at or after that instant. A point left with no agency is
    dropped. With ``digest_policy``, a digest point for Sở Nội vụ on every working day in the window.
    """
    points: list[ReminderPoint] = []
    for p in periods:
        confirmed = {
            code: submissions[(code, p.period_id)] for code in p.agencies if (code, p.period_id) in submissions
        }
        for at, kind, offset in _period_points(p, deadlines):
            if not start <= at <= end:
                continue
            agencies = (
                p.agencies if not confirmed else tuple(c for c in p.agencies if c not in confirmed or confirmed[c] > at)
            )
            if agencies:
                key = keys.point(p.plan_number, p.series_code, p.key, kind.value, offset)
                points.append(
                    ReminderPoint(key, at, kind, offset, p.period_id, p.label, p.due_at, agencies, p.plan_number)
                )
    if digest_policy is not None:
        day = to_vn(start).date()
        while day <= to_vn(end).date():
            at = at_time(day, digest_policy.send_time)
            if deadlines.calendar.is_working_day(day) and start <= at <= end:
                points.append(ReminderPoint(keys.digest_point(day), at, PointKind.DIGEST, 0, None, "", None, ()))
            day += timedelta(days=1)
    points.sort(key=lambda pt: (pt.at, pt.key))
    return points
