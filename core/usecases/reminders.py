"""The reminder engine's rules: what is due when, firing a point once, catching up after an outage.

The scheduler only turns these into APScheduler jobs; everything it sends is decided here from the
database as it stands at the point's instant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core import bundles, keys, messages
from core.deadlines import end_of_day, start_of_day, to_vn
from core.messages import ReportRef
from core.planning.planner import PlanningPeriod, PointKind, ReminderPoint, plan_reminders
from core.repositories import UnitOfWork
from core.standing import judge, past
from core.types import PRIORITY_OF, BundlePart, DeliveryKind, NewDelivery, Recipient, Role, RunOutcome
from core.usecases import reminder_actions
from core.usecases.outreach import reminder_days
from core.usecases.overview import digest_deliveries, digest_periods
from core.usecases.overview import status as period_status
from core.usecases.rules import Rules, effective_rules

ROLE = {PointKind.ESCALATION: Role.LEADER, PointKind.UNSEEN: Role.LEADER, PointKind.DIGEST: Role.ADMIN}
# How far around a window periods are loaded: overdue points come weeks after a deadline (Tết
# included), before-reminders up to the largest offset (plus moves to earlier working days) before it.
AFTER_DUE = timedelta(days=60)
BEFORE_DUE = timedelta(days=400)
MOVED = timedelta(days=31)  # how far a calendar change can move a point (a long Tết, and then some)


@dataclass(frozen=True, slots=True)
class PlanningInputs:
    periods: list[PlanningPeriod]
    reports: dict[int, messages.ReportRef]  # by period id
    submissions: dict[tuple[str, int], datetime]


async def planning_inputs(uow: UnitOfWork, rules: Rules, due_from: datetime, due_to: datetime) -> PlanningInputs:
    """Periods due in [due_from, due_to] (active owing agencies only) and their live submissions."""
    found = await uow.periods.planning_rows(due_from, due_to)
    periods, reports = [], {}
    for row in found:
        p = row.period
        periods.append(
            PlanningPeriod(
                period_id=p.id,
                plan_number=p.plan_number,
                series_code=p.series_code,
                key=p.key,
                label=p.label,
                opens_at=p.opens_at,
                due_at=p.due_at,
                agencies=row.agencies,
                policy=rules.policy.with_overrides(row.policy_overrides),
                recurrence=row.recurrence,
            )
        )
        reports[p.id] = messages.report_ref(p, rules.deadlines)
    submissions = await uow.periods.confirmations([r.period.id for r in found])
    return PlanningInputs(periods, reports, submissions)


async def plan_window(
    uow: UnitOfWork, rules: Rules, start: datetime, end: datetime
) -> tuple[PlanningInputs, list[ReminderPoint]]:
    """The points in [start, end] as the database stands now (periods, submissions, series policies, calendar)."""
    rules = await effective_rules(uow, rules)
    inputs = await planning_inputs(uow, rules, start - AFTER_DUE, end + BEFORE_DUE)
    points = plan_reminders(inputs.periods, inputs.submissions, rules.deadlines, start, end, rules.policy)
    return inputs, points


async def upcoming(
    uow: UnitOfWork, rules: Rules, now: datetime, horizon: timedelta, lookback: timedelta
) -> list[ReminderPoint]:
    """Points after ``now`` within ``horizon`` that nobody has handled: the jobs to schedule."""
    rules = await effective_rules(uow, rules)
    _, points = await plan_window(uow, rules, now, now + horizon)
    done = await uow.runs.handled_keys(now - lookback)
    return [p for p in points if p.key not in done and p.at > now]


async def fire_key(uow: UnitOfWork, rules: Rules, key: str, at: datetime, now: datetime) -> int:
    """Re-plan the point's instant from the database and fire it (or mark it: nobody left to remind), with every
    other reminder point of the same instant: their rows are written together, so the sender finds all that is
    due to a person at that moment at once and sends it as one message (issue 30).

    A point the calendar has moved since its job was scheduled is not marked: at its new instant it fires
    (at once if that instant has passed; else the scheduler's next derivation schedules it).
    """
    if await uow.runs.is_handled(key):  # fired with another point of its instant, or by another worker
        return 0
    rules = await effective_rules(uow, rules)
    inputs, points = await plan_window(uow, rules, at, at)
    point = next((p for p in points if p.key == key), None)
    if point is None:
        around, moved_points = await plan_window(uow, rules, at - MOVED, at + MOVED)
        moved = next((p for p in moved_points if p.key == key), None)
        if moved is None:  # everyone submitted, or the period changed since the job was scheduled
            await mark(uow, key, at, RunOutcome.NOTHING, now)
            return 0
        if moved.at > now:
            return 0
        return await fire(uow, rules, moved, around, now)
    queued = await fire(uow, rules, point, inputs, now)
    if point.kind is not PointKind.DIGEST:
        for sibling in points:
            if sibling.key != key and sibling.kind is not PointKind.DIGEST:
                queued += await fire(uow, rules, sibling, inputs, now)
    return queued


async def fire(
    uow: UnitOfWork,
    rules: Rules,
    point: ReminderPoint,
    inputs: PlanningInputs,
    now: datetime,
    also_handled: tuple[ReminderPoint, ...] = (),
) -> int:
    """Write the point's deliveries and its handled mark together; 0 if it was handled already.

    Raises ``Conflict`` (at the write or the commit) when another worker handles it at the same time.
    """
    if await uow.runs.is_handled(point.key):
        return 0
    items = await _deliveries(uow, rules, point, inputs, now)
    queued = await uow.outbox.enqueue(items, now)
    await uow.runs.add(point.key, point.at, now, RunOutcome.FIRED, queued)
    for p in also_handled:
        await uow.runs.add(p.key, p.at, now, RunOutcome.COLLAPSED, 0)
    return queued


async def mark(uow: UnitOfWork, key: str, at: datetime, outcome: RunOutcome, now: datetime) -> None:
    if not await uow.runs.is_handled(key):
        await uow.runs.add(key, at, now, outcome, 0)


def _report_days(point: ReminderPoint, inputs: PlanningInputs, rules: Rules) -> tuple[DeliveryKind, ReportRef, int]:
    """What a period's point says: its kind, its report, and the days left (or working days late) at its instant."""
    kind = DeliveryKind(point.kind.value)
    assert point.period_id is not None
    report = inputs.reports[point.period_id]
    return kind, report, reminder_days(kind, report.due_at, point.at, rules)


def _wording(point: ReminderPoint, inputs: PlanningInputs, rules: Rules) -> Callable[[str, str, str], str]:
    """How a period's point reads for one person (language, name, agency): the send and the preview share it."""
    kind, report, days = _report_days(point, inputs, rules)
    return lambda lang, name, agency: messages.reminder(kind, lang, name, agency, report, days)


def _part(point: ReminderPoint, inputs: PlanningInputs, rules: Rules) -> Callable[[str, str, str, str], BundlePart]:
    """The point's line for one person (language, name, agency code, agency), in a message with their others."""
    kind, report, days = _report_days(point, inputs, rules)
    return lambda lang, name, code, agency: bundles.part(kind, lang, name, code, agency, report, days)


async def _deliveries(
    uow: UnitOfWork, rules: Rules, point: ReminderPoint, inputs: PlanningInputs, now: datetime
) -> list[NewDelivery]:
    kind = DeliveryKind(point.kind.value)
    role = ROLE.get(point.kind, Role.FOCAL)
    if point.kind is PointKind.DIGEST:
        periods = await digest_periods(uow, now, rules)
        sent = await digest_deliveries(uow, now)
        if not periods and not sent.sent + sent.failed + sent.blocked:
            return []  # nothing to report: no daily noise
        return [
            NewDelivery(
                keys.for_account(point.key, r.account_id),
                r.account_id,
                kind,
                messages.digest(r.language, r.person_name, point.at, periods, sent),
                PRIORITY_OF[kind],
            )
            for r in await uow.accounts.recipients(role)
        ]
    assert point.period_id is not None
    wording = _wording(point, inputs, rules)
    line = _part(point, inputs, rules)
    agencies = point.agencies
    if point.kind is PointKind.UNSEEN:  # only where nobody has seen a reminder (nor sent: the planner knows)
        seen = {r.agency.code for r in await period_status(uow, point.period_id) if r.seen}
        agencies = tuple(c for c in agencies if c not in seen)
        if not agencies:
            return []
    items = []
    for r in await uow.accounts.recipients(role, agencies):
        key = keys.for_account(point.key, r.account_id)
        choices = (
            await reminder_actions.reminder_choices(uow, r.account_id, r.language, point.period_id, key, now)
            if role is Role.FOCAL
            else ()
        )
        text = wording(r.language, r.person_name, r.agency_name)
        part = line(r.language, r.person_name, r.agency_code, r.agency_name)
        items.append(
            NewDelivery(key, r.account_id, kind, text, PRIORITY_OF[kind], None, choices, point.period_id, part=part)
        )
    return items


async def catch_up(uow: UnitOfWork, rules: Rules, now: datetime, grace: timedelta, lookback: timedelta) -> int:
    """Handle points missed while the service was down; returns how many messages were queued.

    Within ``grace`` a missed point fires as it was planned (a digest only on its own day). Older
    missed points of a period whose deadline has passed collapse into one up-to-date overdue message
    (and, if an escalation was missed, one escalation) per period for the agencies still missing;
    older before-deadline points are stale and only marked handled.
    """
    rules = await effective_rules(uow, rules)
    inputs, points = await plan_window(uow, rules, now - lookback, now)
    done = await uow.runs.handled_keys(now - lookback)
    missed = [p for p in points if p.key not in done]
    recent = [p for p in missed if now - p.at <= grace]
    old = [p for p in missed if now - p.at > grace]
    fired = 0
    for p in recent:
        if p.kind is PointKind.DIGEST and to_vn(p.at).date() != to_vn(now).date():
            await mark(uow, p.key, p.at, RunOutcome.STALE, now)  # a summary of an earlier day is no use today
            continue
        fired += await fire(uow, rules, p, inputs, now)
    recent_kinds = {(p.period_id, p.kind is PointKind.ESCALATION) for p in recent}
    groups: dict[tuple[int | None, bool], list[ReminderPoint]] = {}
    for p in old:
        groups.setdefault((p.period_id, p.kind is PointKind.ESCALATION), []).append(p)
    for (period_id, is_escalation), group in groups.items():
        due_passed = group[-1].due_at is not None and past(group[-1].due_at, rules.deadlines, now)
        if period_id is None or not due_passed or (period_id, is_escalation) in recent_kinds:
            for p in group:
                await mark(uow, p.key, p.at, RunOutcome.STALE, now)
            continue
        fired += await _collapse(uow, rules, group, inputs, now)
    return fired


async def _collapse(
    uow: UnitOfWork, rules: Rules, group: list[ReminderPoint], inputs: PlanningInputs, now: datetime
) -> int:
    """One up-to-date message (of the group's kind) for the agencies of the period still missing."""
    latest = group[-1]
    assert latest.period_id is not None and latest.due_at is not None
    pid = latest.period_id
    missing = tuple(
        c for c in latest.agencies if (c, pid) not in inputs.submissions or inputs.submissions[(c, pid)] > now
    )
    if not missing:
        for p in group:
            await mark(uow, p.key, p.at, RunOutcome.STALE, now)
        return 0
    kind = PointKind.ESCALATION if latest.kind is PointKind.ESCALATION else PointKind.OVERDUE
    summary = ReminderPoint(
        key=keys.catch_up(latest.key),
        at=now,
        kind=kind,
        offset=judge(latest.due_at, None, rules.deadlines, now).days or 1,
        period_id=pid,
        label=latest.label,
        due_at=latest.due_at,
        agencies=missing,
        plan_number=latest.plan_number,
    )
    return await fire(uow, rules, summary, inputs, now, also_handled=tuple(group))


@dataclass(frozen=True, slots=True)
class PreviewText:
    """What one person would be sent at one point (nothing is written or sent)."""

    point: ReminderPoint
    agency: str  # the agency's name
    recipient: str  # the person, or "" when the agency has nobody registered for the role
    language: str
    text: str
    reports: int = 1  # how many reports the message carries (the point is the most urgent one's)
    platform: str = ""  # the app it goes to ("" when nobody is registered)


async def preview_texts(
    uow: UnitOfWork, rules: Rules, start: datetime, end: datetime, agency_code: str | None = None
) -> list[PreviewText]:
    """The exact messages the points in [start, end] would send, to each person in their language, as the database
    stands now: what is due to one person at one moment as the one message it leaves as (issue 30); an agency with
    nobody registered for the role is shown addressed to its role ("Cán bộ đầu mối"). The daily digest (to Sở Nội
    vụ's admins) is left out when one agency is asked for. Nothing is written."""
    rules = await effective_rules(uow, rules)
    inputs, points = await plan_window(uow, rules, start, end)
    names = {a.code: a.name for a in await uow.agencies.all(include_inactive=True)}
    out: list[PreviewText] = []
    # (instant, person or agency, group) → the point, the agency, the person, language, text and line of each report
    moments: dict[tuple[datetime, str, str], list[tuple[PreviewText, BundlePart]]] = {}
    for point in points:
        role = ROLE.get(point.kind, Role.FOCAL)
        if point.kind is PointKind.DIGEST:
            if agency_code is None:
                periods = await digest_periods(uow, point.at, rules)
                sent = await digest_deliveries(uow, point.at)
                for r in await uow.accounts.recipients(role):
                    text = messages.digest(r.language, r.person_name, point.at, periods, sent)
                    out.append(PreviewText(point, r.agency_name, r.person_name, r.language, text, 1, r.platform))
            continue
        if point.period_id is None:
            continue
        agencies = point.agencies if agency_code is None else tuple(c for c in point.agencies if c == agency_code)
        wording, line = _wording(point, inputs, rules), _part(point, inputs, rules)
        group = bundles.GROUP_OF[DeliveryKind(point.kind.value)]
        people = await uow.accounts.recipients(role, agencies)
        for r in people:
            text = wording(r.language, r.person_name, r.agency_name)
            shown = PreviewText(point, r.agency_name, r.person_name, r.language, text, 1, r.platform)
            part = line(r.language, r.person_name, r.agency_code, r.agency_name)
            moments.setdefault((point.at, f"account:{r.account_id}", group), []).append((shown, part))
        reached = {r.agency_code for r in people}
        for code in agencies:
            if code not in reached:  # addressed to the agency's focal person (leaders: by the same words)
                name = names.get(code, code)
                shown = PreviewText(point, name, "", "vi", wording("vi", "", name))
                moments.setdefault((point.at, f"agency:{code}", group), []).append((shown, line("vi", "", code, name)))
    for items in moments.values():
        if len(items) == 1:
            out.append(items[0][0])
            continue
        items.sort(key=lambda item: item[1].rank)
        first = items[0][0]
        text = bundles.text(first.language, [part for _, part in items])
        out.append(
            PreviewText(first.point, first.agency, first.recipient, first.language, text, len(items), first.platform)
        )
    out.sort(key=lambda x: x.point.at)  # stable: digests first at their instant, as they were planned
    return out


@dataclass(frozen=True, slots=True)
class Forecast:
    """A month's expected messages per app, from the reminder plan and the people registered today (issue 30)."""

    month: str  # "2026-06"
    by_platform: dict[str, int]
    reminders: int  # rows before bundling: what the month would have sent one reminder a message
    unreached: int  # messages addressed to agencies with nobody registered (they go nowhere)


async def forecast(uow: UnitOfWork, rules: Rules, first: date, last: date) -> Forecast:
    """What the reminder plan will send from ``first`` to ``last`` as the database stands: messages per app (several
    reports to one person at one moment counted once, one digest a working day to each admin), and the reminders
    before they are bundled. At most: the leaders' alert counts every agency that owes, not only where nobody saw a
    reminder. Nothing is rendered nor written (a province's month is planned in a moment)."""
    rules = await effective_rules(uow, rules)
    _, points = await plan_window(uow, rules, start_of_day(first), end_of_day(last))
    people = {role: await uow.accounts.recipients(role) for role in (Role.FOCAL, Role.LEADER, Role.ADMIN)}
    by_agency: dict[Role, dict[str, list[Recipient]]] = {role: {} for role in people}
    for role, found in people.items():
        for r in found:
            by_agency[role].setdefault(r.agency_code, []).append(r)
    moments: dict[tuple[datetime, int, str], str] = {}  # (instant, account, group) → app
    reminders, unreached = 0, 0
    for point in points:
        role = ROLE.get(point.kind, Role.FOCAL)
        if point.kind is PointKind.DIGEST:
            for r in people[Role.ADMIN]:
                moments[(point.at, r.account_id, "digest")] = r.platform
            continue
        group = bundles.GROUP_OF[DeliveryKind(point.kind.value)]
        for code in point.agencies:
            mine = by_agency[role].get(code, [])
            unreached += not mine
            for r in mine:
                reminders += 1
                moments[(point.at, r.account_id, group)] = r.platform
    by_platform: dict[str, int] = {}
    for platform in moments.values():
        by_platform[platform] = by_platform.get(platform, 0) + 1
    return Forecast(f"{first:%Y-%m}", by_platform, reminders, unreached)
