"""A plan as stored, for ``core.plandiff`` to compare with a file; and the writes of a ``PlanDiff``. The rules of
an import (what may change, what is kept) are the diff's; here are only the reads and the writes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from core.plandiff import (
    PLAN_FIELDS,
    PlanDiff,
    StoredPeriod,
    StoredPlan,
    StoredSeries,
    StoredTask,
    agency_fields,
    plan_fields,
)
from core.planfile import PlanSpec
from core.types import TaskRole
from models.repos import rows
from models.repos.rows import lineage
from models.tables import (
    Agency,
    AgencyName,
    PeriodAgency,
    Plan,
    ReportPeriod,
    ReportSeries,
    SeriesAgency,
    Submission,
    Task,
    TaskAssignment,
)


async def load(session: AsyncSession, number: str) -> StoredPlan:
    """The registry, and the plan numbered ``number`` with its tasks, series and periods if it is stored."""
    known = await lineage(session)
    registry = {a.code: rows.agency(a, known) for a in (await session.scalars(select(Agency))).all()}
    code_of = {a.id: a.code for a in registry.values()}
    plan = await session.scalar(select(Plan).where(Plan.number == number))
    elsewhere = await _used_by_other_plans(session, plan.id if plan else None)
    used = {code_of[agency_id]: frozenset(n for n, _ in found) for agency_id, found in elsewhere.items()}
    between = {code_of[agency_id]: (min(d for _, d in f), max(d for _, d in f)) for agency_id, f in elsewhere.items()}
    if plan is None:
        return StoredPlan(None, registry, used, used_between=between)
    stored_fields = {name: getattr(plan, name) for name in PLAN_FIELDS}

    assigned: dict[int, set[tuple[str, TaskRole]]] = defaultdict(set)
    found = await session.execute(
        select(TaskAssignment.task_id, TaskAssignment.agency_id, TaskAssignment.role)
        .join(Task, Task.id == TaskAssignment.task_id)
        .where(Task.plan_id == plan.id)
    )
    for task_id, agency_id, role in found.tuples().all():
        assigned[task_id].add((code_of[agency_id], TaskRole(role)))
    tasks = {
        (x.ref, x.paragraph): StoredTask(x.title, x.text, x.position, frozenset(assigned[x.id]))
        for x in (await session.scalars(select(Task).where(Task.plan_id == plan.id))).all()
    }

    series_rows = (await session.scalars(select(ReportSeries).where(ReportSeries.plan_id == plan.id))).all()
    ids = [s.id for s in series_rows]
    owing = await _codes_of(session, SeriesAgency.series_id, SeriesAgency.agency_id, ids, code_of)
    period_rows = (await session.scalars(select(ReportPeriod).where(ReportPeriod.series_id.in_(ids)))).all()
    period_ids = [p.id for p in period_rows]
    period_owing = await _codes_of(session, PeriodAgency.period_id, PeriodAgency.agency_id, period_ids, code_of)
    held = dict(
        (
            await session.execute(
                select(Submission.period_id, func.count())
                .where(Submission.period_id.in_(period_ids))
                .group_by(Submission.period_id)
            )
        )
        .tuples()
        .all()
    )
    periods: dict[int, dict[str, StoredPeriod]] = defaultdict(dict)
    for p in period_rows:
        periods[p.series_id][p.key] = StoredPeriod(
            p.label, p.opens_at, p.due_at, frozenset(period_owing[p.id]), held.get(p.id, 0), p.data_from, p.data_to
        )
    series = {
        s.code: StoredSeries(
            {
                "name": s.name,
                "recurrence": s.recurrence,
                "wording": s.wording,
                "receiver": code_of[s.receiver_agency_id],
                "via": code_of[s.via_agency_id] if s.via_agency_id else None,
                "receiver_wording": s.receiver_wording,
                "cutoff": s.cutoff,
            },
            frozenset(owing[s.id]),
            periods[s.id],
        )
        for s in series_rows
    }
    return StoredPlan(stored_fields, registry, used, tasks, series, between)


async def apply(session: AsyncSession, spec: PlanSpec, d: PlanDiff) -> None:
    """Write what ``d`` says, in the caller's transaction (the caller commits)."""
    plan = await session.scalar(select(Plan).where(Plan.number == spec.number))
    if plan is None:
        plan = Plan(number=spec.number, **plan_fields(spec))
        session.add(plan)
    elif d.plan == "update":
        for name, value in plan_fields(spec).items():
            setattr(plan, name, value)

    agencies = {a.code: a for a in (await session.scalars(select(Agency))).all()}
    for a in d.agencies_created:
        agencies[a.code] = Agency(code=a.code, **agency_fields(a))
        session.add(agencies[a.code])
    for a in d.agencies_updated:
        for name, value in agency_fields(a).items():
            setattr(agencies[a.code], name, value)
    for code, name, until in d.names_before:  # the name the plan's own time gave it, kept as history
        session.add(AgencyName(agency_id=agencies[code].id, name=name, until=until))
    for code, name, since in d.renamed_from:  # renamed from the newer plan's date; the name before kept
        session.add(AgencyName(agency_id=agencies[code].id, name=agencies[code].name, until=since))
        agencies[code].name = name
    await session.flush()
    ids = {code: row.id for code, row in agencies.items()}

    tasks = {
        (x.ref, x.paragraph): x for x in (await session.scalars(select(Task).where(Task.plan_id == plan.id))).all()
    }
    for key in d.tasks_removed:
        await session.execute(delete(TaskAssignment).where(TaskAssignment.task_id == tasks[key].id))
        await session.delete(tasks.pop(key))
    await session.flush()  # a removed "III.1a" leaves before a new "III.1" paragraph needs its place
    for pos, t, new, fields_changed, assignments_changed in d.tasks:
        values = {"title": t.title, "text": t.text, "position": pos}
        row = tasks.get((t.ref, t.paragraph))
        if row is None:
            row = Task(plan_id=plan.id, ref=t.ref, paragraph=t.paragraph, **values)
            session.add(row)
            await session.flush()
        elif fields_changed:
            for name, value in values.items():
                setattr(row, name, value)
        if new or assignments_changed:
            await session.execute(delete(TaskAssignment).where(TaskAssignment.task_id == row.id))
            session.add_all(
                TaskAssignment(task_id=row.id, agency_id=ids[code], role=role.value)
                for code, role in sorted(t.assignments)
            )

    series_rows = {
        s.code: s for s in (await session.scalars(select(ReportSeries).where(ReportSeries.plan_id == plan.id))).all()
    }
    for change in d.series:
        s = change.spec
        values = {
            "name": s.name,
            "recurrence": s.recurrence.value,
            "wording": s.wording,
            "receiver_agency_id": ids[s.receiver],
            "via_agency_id": ids[s.via] if s.via else None,
            "receiver_wording": s.receiver_wording,
            "cutoff": s.cutoff,
        }
        srow = series_rows.get(s.code)
        if srow is None:
            srow = ReportSeries(plan_id=plan.id, code=s.code, **values)
            session.add(srow)
            await session.flush()
        elif change.fields_changed:
            for name, value in values.items():
                setattr(srow, name, value)
        owed = sorted(ids[c] for c in s.owed_by)
        if change.new or change.agencies_changed:
            await session.execute(delete(SeriesAgency).where(SeriesAgency.series_id == srow.id))
            session.add_all(SeriesAgency(series_id=srow.id, agency_id=a) for a in owed)
        periods = {
            p.key: p
            for p in (await session.scalars(select(ReportPeriod).where(ReportPeriod.series_id == srow.id))).all()
        }
        for gone in change.removed_periods:
            await session.execute(delete(PeriodAgency).where(PeriodAgency.period_id == periods[gone].id))
            await session.delete(periods.pop(gone))
        for p, p_new, p_changed, p_agencies in change.periods:
            period_values = {
                "label": p.label,
                "opens_at": p.opens_at,
                "due_at": p.due_at,
                "data_from": p.data_from,
                "data_to": p.data_to,
            }
            prow = periods.get(p.key)
            if prow is None:
                prow = ReportPeriod(series_id=srow.id, key=p.key, **period_values)
                session.add(prow)
                await session.flush()
            elif p_changed:
                for name, value in period_values.items():
                    setattr(prow, name, value)
            if p_new or p_agencies:
                await session.execute(delete(PeriodAgency).where(PeriodAgency.period_id == prow.id))
                session.add_all(PeriodAgency(period_id=prow.id, agency_id=a) for a in owed)
    await session.flush()


async def _codes_of(
    session: AsyncSession,
    owner: InstrumentedAttribute[int],
    agency: InstrumentedAttribute[int],
    ids: list[int],
    code_of: dict[int, str],
) -> dict[int, set[str]]:
    """Owner id → the codes of the agencies linked to it (a series', or a period's, owing agencies)."""
    found: dict[int, set[str]] = defaultdict(set)
    for owner_id, agency_id in (await session.execute(select(owner, agency).where(owner.in_(ids)))).tuples():
        found[owner_id].add(code_of[agency_id])
    return found


async def _used_by_other_plans(session: AsyncSession, plan_id: int | None) -> dict[int, set[tuple[str, date]]]:
    """Agency id → (number, issue date) of the other plans that assign it a task or a report series, or whose reports
    it receives or compiles."""
    found: dict[int, set[tuple[str, date]]] = {}
    by_task = (
        select(TaskAssignment.agency_id, Plan.number, Plan.issued_on)
        .join(Task, Task.id == TaskAssignment.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Plan.id != plan_id)
    )
    by_series = (
        select(SeriesAgency.agency_id, Plan.number, Plan.issued_on)
        .join(ReportSeries, ReportSeries.id == SeriesAgency.series_id)
        .join(Plan, Plan.id == ReportSeries.plan_id)
        .where(Plan.id != plan_id)
    )
    # Receiving or compiling a plan's reports is using the agency too ("Ủy ban nhân dân tỉnh Tuyên Quang" in 2023,
    # "Ủy ban nhân dân tỉnh" in 2026: each plan keeps the name of its time).
    by_receiver = (
        select(ReportSeries.receiver_agency_id, Plan.number, Plan.issued_on)
        .join(Plan, Plan.id == ReportSeries.plan_id)
        .where(Plan.id != plan_id)
    )
    by_via = (
        select(ReportSeries.via_agency_id, Plan.number, Plan.issued_on)
        .join(Plan, Plan.id == ReportSeries.plan_id)
        .where(Plan.id != plan_id, ReportSeries.via_agency_id.is_not(None))
    )
    for query in (by_task, by_series, by_receiver, by_via):
        for agency_id, number, issued_on in (await session.execute(query)).tuples().all():
            found.setdefault(agency_id, set()).add((number, issued_on))
    return found
