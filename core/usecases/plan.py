"""Reading a plan: agencies, tasks, periods, and what one agency owes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core import plandiff
from core.deadlines import to_vn
from core.errors import LineageError, PeriodAmbiguous, PeriodUnknown
from core.messages import short_day
from core.planfile import ImportReport, PlanSpec, Registered
from core.repositories import UnitOfWork
from core.standing import Deadlines, due_within, judge, past
from core.types import Actor, Agency, AgencyPeriod, AssignedTask, Period, Standing, TaskListing
from core.usecases import province
from core.usecases.rules import require_admin

UPCOMING = timedelta(days=45)  # /hanbaocao shows periods opening within this (and every unsent overdue one)
# A plan whose last deadline passed longer ago than this has ended: its unsent periods are no longer chased
# (no "overdue by 912 working days" in December 2026 for a plan of 2023), only listed as never sent.
PLAN_ENDED_AFTER = timedelta(days=90)
HISTORY = timedelta(days=3660)


async def preview(uow: UnitOfWork, actor: Actor, spec: PlanSpec, update_agencies: bool = False) -> ImportReport:
    """What importing the plan file would create and change; nothing is written.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        PlanFileError: the file would change agencies it may not (``core.plandiff``); every one is listed.
    """
    require_admin(actor)
    report = plandiff.diff(await uow.agencies.stored_plan(spec.number), spec, update_agencies).report
    report.notes.extend(await left_out_notes(uow, spec))
    return report


async def import_plan(uow: UnitOfWork, actor: Actor, spec: PlanSpec, update_agencies: bool = False) -> ImportReport:
    """Insert what is new, update what changed, keep periods that hold submissions (the caller commits).

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        PlanFileError: as ``preview``; nothing is written.
    """
    require_admin(actor)
    changes = plandiff.diff(await uow.agencies.stored_plan(spec.number), spec, update_agencies)
    if changes.changed:
        await uow.agencies.apply_plan(spec, changes)
        await uow.audit.record(actor.label, "import_plan", "plan", spec.number, dict(changes.report.changes))
        if changes.agencies_created:  # the registry's history holds for what the plan brought
            kept = await province.keep_history(uow, actor)
            for e in kept.ended if kept is not None else []:
                changes.report.notes.append(
                    f"{e.name} đã kết thúc từ ngày {short_day(e.on)} theo lịch sử của tỉnh (ended, as the province's "
                    "history says)"
                )
    changes.report.notes.extend(await left_out_notes(uow, spec))
    return changes.report


async def left_out_notes(uow: UnitOfWork, spec: PlanSpec) -> list[str]:
    """One line per agency a group would have made owe a report it receives or compiles."""
    names = {a.code: a.name for a in spec.agencies}
    notes: list[str] = []
    for s in spec.series:
        for code in s.left_out:
            if code not in names:
                found = await uow.agencies.by_code(code)
                names[code] = found.name if found is not None else code
            does = "tổng hợp" if code == s.via else "nhận"
            notes.append(f"{s.name}: {names[code]} {does} báo cáo này nên không phải gửi")
    return list(dict.fromkeys(notes))


async def registered(uow: UnitOfWork) -> list[Registered]:
    """The registry as a plan file may use it: every agency, in official order, with the days it was in being."""
    return [
        Registered(a.code, a.kind, a.started_on, a.ended_on if a.active else date.min)
        for a in await uow.agencies.all(include_inactive=True)
    ]


async def agencies(uow: UnitOfWork, include_inactive: bool = False) -> list[Agency]:
    return await uow.agencies.all(include_inactive)


agency = province.agency  # an agency by code, or AgencyUnknown: one lookup for every use-case


async def tasks_of(uow: UnitOfWork, agency_id: int) -> list[AssignedTask]:
    return await uow.agencies.tasks_of(agency_id)


async def all_tasks(uow: UnitOfWork) -> list[TaskListing]:
    return await uow.agencies.all_tasks()


async def periods(uow: UnitOfWork, due_from: datetime | None = None, due_to: datetime | None = None) -> list[Period]:
    return await uow.periods.all(due_from, due_to)


def qualified(p: Period) -> str:
    """The name that says one period whatever plans there are: "46/KH-UBND thang:2023-04"."""
    return f"{p.plan_number} {p.series_code}:{p.key}"


async def period(uow: UnitOfWork, ref: str | None, now: datetime) -> Period:
    """A period by key, series:key or label (after the plan's number if need be); without ``ref`` the most
    recently due one.

    Raises:
        PeriodUnknown: nothing has that name.
        PeriodAmbiguous: several plans have a period of that name (their qualified names are the options).
    """
    if not ref:
        found = await uow.periods.find(None, now)
        if found is None:
            raise PeriodUnknown("")
        return found
    matches = await uow.periods.matches(ref)
    if not matches:
        raise PeriodUnknown(ref[:64])
    if len(matches) > 1:
        raise PeriodAmbiguous([qualified(p) for p in matches], [(p.label, p.plan_number) for p in matches])
    return matches[0]


async def ended_plans(uow: UnitOfWork, now: datetime) -> set[str]:
    """The numbers of the plans whose last deadline passed more than ``PLAN_ENDED_AFTER`` ago."""
    return {n for n, last in (await uow.periods.last_deadlines()).items() if now - last > PLAN_ENDED_AFTER}


async def deadlines(uow: UnitOfWork, agency_id: int, now: datetime, due: Deadlines) -> list[AgencyPeriod]:
    """Periods of the agency still to watch: overdue and not sent (however long ago, oldest first, plans that have
    ended aside), then those whose time has not run out (sent or not, by deadline)."""
    found = await uow.periods.of_agency(agency_id, now - HISTORY, now + UPCOMING)
    ended = await ended_plans(uow, now)
    overdue = [
        p
        for p in found
        if p.period.plan_number not in ended
        and judge(p.period.due_at, p.submitted_at, due, now).standing is Standing.MISSING
    ]
    ahead = [p for p in found if not past(p.period.due_at, due, now)]
    return sorted(overdue, key=lambda p: p.period.due_at) + sorted(ahead, key=lambda p: p.period.due_at)


def week_of(now: datetime) -> tuple[date, date]:
    """Monday and Sunday of the week ``now`` falls in (Vietnam time)."""
    today = to_vn(now).date()
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


async def week(uow: UnitOfWork, agency_id: int, now: datetime, due: Deadlines) -> list[AgencyPeriod]:
    """The week at a glance (issue 30): what the agency must send this week — periods whose last day falls in it, sent
    or not — and what is overdue and not sent, across every plan in force; the most urgent first."""
    monday, sunday = week_of(now)
    return [
        p
        for p in await deadlines(uow, agency_id, now, due)
        if (p.submitted_at is None and past(p.period.due_at, due, now))
        or due_within(p.period.due_at, due, monday, sunday)
    ]


async def never_sent(uow: UnitOfWork, agency_id: int, now: datetime) -> list[AgencyPeriod]:
    """Periods of plans that have ended that the agency never sent, oldest first (shown apart, never chased)."""
    ended = await ended_plans(uow, now)
    if not ended:
        return []
    found = await uow.periods.of_agency(agency_id, now - HISTORY, now)
    return [p for p in found if p.period.plan_number in ended and p.submitted_at is None]


async def owed(uow: UnitOfWork, agency_id: int, now: datetime) -> list[AgencyPeriod]:
    """Periods the agency can confirm now: open and not yet sent, however long overdue; the most urgent
    first (the deadline nearest to now, before or after it)."""
    found = await uow.periods.of_agency(agency_id, now - HISTORY, now + UPCOMING)
    open_ = [p for p in found if p.submitted_at is None and p.period.opens_at <= now]
    return sorted(open_, key=lambda p: (abs(p.period.due_at - now), p.period.id))


async def owed_period(uow: UnitOfWork, agency_id: int, ref: str, now: datetime) -> list[AgencyPeriod]:
    """The periods ``ref`` names (key, series:key or label) that the agency can confirm now (several when
    plans share the name)."""
    named = {p.id for p in await uow.periods.matches(ref)}
    return [p for p in await owed(uow, agency_id, now) if p.period.id in named]


async def history(uow: UnitOfWork, agency_id: int, now: datetime, due: Deadlines) -> list[AgencyPeriod]:
    """The agency's periods whose time has run out so far, or already sent."""
    found = await uow.periods.of_agency(agency_id, now - HISTORY, now)
    return [p for p in found if judge(p.period.due_at, p.submitted_at, due, now).standing is not Standing.NOT_DUE]


async def owed_series(uow: UnitOfWork) -> dict[int, list[str]]:
    """Which series each agency owes (agency id → ["46/KH-UBND:thang", …])."""
    return await uow.agencies.owed_series()


async def rename_agency(uow: UnitOfWork, actor: Actor, code: str, name: str, from_day: date) -> Agency:
    """The agency bears ``name`` from ``from_day``; periods due before then keep the old name."""
    require_admin(actor)
    found = await agency(uow, code)
    name = " ".join(name.split())
    if not name or name == found.name:
        raise LineageError("tên mới trống hoặc trùng tên hiện tại (the new name is empty or unchanged)")
    await uow.agencies.rename(found.id, name, from_day)
    await uow.audit.record(
        actor.label, "rename_agency", "agency", found.code, {"from": found.name, "to": name, "on": from_day.isoformat()}
    )
    return await agency(uow, code)


async def end_agency(uow: UnitOfWork, actor: Actor, code: str, from_day: date, into: str | None = None) -> Agency:
    """Dissolve the agency from ``from_day``, or merge it into ``into``: it owes nothing due from that day."""
    require_admin(actor)
    found = await agency(uow, code)
    successor = await agency(uow, into) if into else None
    await uow.agencies.end(found.id, from_day, successor.id if successor else None)
    await uow.audit.record(
        actor.label,
        "merge_agency" if successor else "dissolve_agency",
        "agency",
        found.code,
        {"on": from_day.isoformat(), "into": successor.code if successor else None},
    )
    return await agency(uow, code)
