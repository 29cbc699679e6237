"""Write a validated PlanSpec in one transaction: insert what is new, update what changed, keep submissions."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.planfile import ImportReport, PeriodSpec, PlanFileError, PlanSpec
from core.types import Recurrence
from models import audit
from models.repos import rows
from models.repos.rows import lineage
from models.tables import (
    Agency,
    PeriodAgency,
    Plan,
    ReportPeriod,
    ReportSeries,
    SeriesAgency,
    Submission,
    Task,
    TaskAssignment,
)


def _set_fields(row: object, values: dict[str, object]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


async def import_plan(session: AsyncSession, spec: PlanSpec, actor: str, update_agencies: bool = False) -> ImportReport:
    """Upsert the plan, its agencies, tasks, series and periods. The caller commits.

    The agency registry is shared by plans: changing the name, kind or active flag of an agency another plan
    uses is refused (every difference listed) unless ``update_agencies``.
    """
    report = ImportReport(spec.number)
    ch = report.changes

    plan = await session.scalar(select(Plan).where(Plan.number == spec.number))
    plan_values: dict[str, object] = {
        "title": spec.title,
        "issuing_body": spec.issuing_body,
        "issued_on": spec.issued_on,
        "signer": spec.signer,
        "signer_title": spec.signer_title,
        "year": spec.year,
    }
    if plan is None:
        plan = Plan(number=spec.number, **plan_values)
        session.add(plan)
        ch["plan created"] += 1
    elif _set_fields(plan, plan_values):
        ch["plan updated"] += 1

    agencies = {a.code: a for a in (await session.scalars(select(Agency))).all()}
    known = await lineage(session)  # once: former names decide which agencies keep their history
    await session.flush()  # a new plan gets its id: "other plans" are all but this one
    elsewhere = await _used_by_other_plans(session, plan.id)
    refused: list[str] = []
    for a in spec.agencies:
        values: dict[str, object] = {"name": a.name, "kind": a.kind.value, "active": a.active}
        existing = agencies.get(a.code)
        if existing is not None and (existing.id in known.former_names or existing.ended_on is not None):
            # History is kept by date: the file must name the agency as it was on the plan's date.
            then = rows.agency(existing, known, on=spec.issued_on).name
            if a.name != then:
                refused.append(
                    f"agencies (code {a.code!r}): field 'name': on {spec.issued_on:%d/%m/%Y} the agency was named "
                    f"{then!r}; rename it with 'nhacviec agencies rename', not in the plan file"
                )
            continue
        if existing is not None and existing.id in elsewhere and not update_agencies:
            for field, wanted in values.items():
                if getattr(existing, field) != wanted:
                    refused.append(
                        f"agencies (code {a.code!r}): field {field!r}: {getattr(existing, field)!r} → {wanted!r} "
                        f"would change it for plan {', '.join(sorted(elsewhere[existing.id]))} too; "
                        "import with --update-agencies to change it for every plan"
                    )
            continue
        if a.code not in agencies:
            agencies[a.code] = Agency(code=a.code, **values)
            session.add(agencies[a.code])
            ch["agencies created"] += 1
        elif _set_fields(agencies[a.code], values):
            ch["agencies updated"] += 1
    if refused:
        raise PlanFileError(spec.number, refused)
    await session.flush()
    ids = {code: row.id for code, row in agencies.items()}

    tasks = {
        (t.ref, t.paragraph): t for t in (await session.scalars(select(Task).where(Task.plan_id == plan.id))).all()
    }
    for pos, t in enumerate(spec.tasks):
        values = {"title": t.title, "text": t.text, "position": pos}
        row = tasks.pop((t.ref, t.paragraph), None)
        if row is None:
            row = Task(plan_id=plan.id, ref=t.ref, paragraph=t.paragraph, **values)
            session.add(row)
            await session.flush()
            ch["tasks created"] += 1
        elif _set_fields(row, values):
            ch["tasks updated"] += 1
        wanted = {(ids[code], role.value) for code, role in t.assignments}
        have = {
            (r.agency_id, r.role)
            for r in (await session.scalars(select(TaskAssignment).where(TaskAssignment.task_id == row.id))).all()
        }
        if wanted != have:
            await session.execute(delete(TaskAssignment).where(TaskAssignment.task_id == row.id))
            session.add_all(TaskAssignment(task_id=row.id, agency_id=a, role=r) for a, r in sorted(wanted))
            ch["task assignments changed"] += 1
    for gone in tasks.values():
        await session.execute(delete(TaskAssignment).where(TaskAssignment.task_id == gone.id))
        await session.delete(gone)
        ch["tasks removed"] += 1
    await session.flush()  # a removed "III.1a" leaves before a new "III.1" paragraph needs its place

    all_series = (await session.scalars(select(ReportSeries).where(ReportSeries.plan_id == plan.id))).all()
    series_rows = {s.code: s for s in all_series}
    for s in spec.series:
        values = {
            "name": s.name,
            "recurrence": s.recurrence.value,
            "wording": s.wording,
            "receiver_agency_id": ids[s.receiver],
            "via_agency_id": ids[s.via] if s.via else None,
            "receiver_wording": s.receiver_wording,
        }
        srow = series_rows.get(s.code)
        if srow is None:
            srow = ReportSeries(plan_id=plan.id, code=s.code, **values)
            session.add(srow)
            await session.flush()
            ch["series created"] += 1
        elif _set_fields(srow, values):
            ch["series updated"] += 1
        owed = {ids[c] for c in s.owed_by}
        await _replace_links(session, SeriesAgency, srow.id, owed, ch, "series agencies")
        await _sync_periods(session, srow, s.periods, owed, report)

    if report.changed:
        audit.record(session, actor, "import_plan", "plan", spec.number, {k: v for k, v in ch.items()})
    await session.flush()
    return report


async def _used_by_other_plans(session: AsyncSession, plan_id: int | None) -> dict[int, set[str]]:
    """Agency id → the numbers of the other plans that assign it a task or a report series."""
    found: dict[int, set[str]] = {}
    by_task = (
        select(TaskAssignment.agency_id, Plan.number)
        .join(Task, Task.id == TaskAssignment.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Plan.id != plan_id)
    )
    by_series = (
        select(SeriesAgency.agency_id, Plan.number)
        .join(ReportSeries, ReportSeries.id == SeriesAgency.series_id)
        .join(Plan, Plan.id == ReportSeries.plan_id)
        .where(Plan.id != plan_id)
    )
    for query in (by_task, by_series):
        for agency_id, number in (await session.execute(query)).tuples().all():
            found.setdefault(agency_id, set()).add(number)
    return found


async def _replace_links(
    session: AsyncSession,
    table: type[SeriesAgency] | type[PeriodAgency],
    owner_id: int,
    wanted: set[int],
    ch: Counter[str],
    name: str,
) -> None:
    """Make the agencies linked to a series (or a period) exactly ``wanted``."""
    owner = SeriesAgency.series_id if table is SeriesAgency else PeriodAgency.period_id
    agency = SeriesAgency.agency_id if table is SeriesAgency else PeriodAgency.agency_id
    have = set((await session.scalars(select(agency).where(owner == owner_id))).all())
    if have == wanted:
        return
    await session.execute(delete(table).where(owner == owner_id))
    key = "series_id" if table is SeriesAgency else "period_id"
    session.add_all(table(**{key: owner_id, "agency_id": a}) for a in sorted(wanted))
    ch[f"{name} changed"] += 1


async def _sync_periods(
    session: AsyncSession, srow: ReportSeries, periods: tuple[PeriodSpec, ...], owed: set[int], report: ImportReport
) -> None:
    ch = report.changes
    existing = {
        p.key: p for p in (await session.scalars(select(ReportPeriod).where(ReportPeriod.series_id == srow.id))).all()
    }
    for p in periods:
        values = {"label": p.label, "opens_at": p.opens_at, "due_at": p.due_at}
        row = existing.pop(p.key, None)
        if row is None:
            row = ReportPeriod(series_id=srow.id, key=p.key, **values)
            session.add(row)
            await session.flush()
            ch["periods created"] += 1
        elif _set_fields(row, values):
            ch["periods updated"] += 1
        await _replace_links(session, PeriodAgency, row.id, owed, ch, "period agencies")
    if srow.recurrence == Recurrence.AD_HOC.value:
        return  # ad-hoc periods are created by admins, never by the file
    for gone in existing.values():
        held = await session.scalar(select(func.count()).where(Submission.period_id == gone.id))
        if held:
            report.kept_periods.append(gone.label)
            continue
        await session.execute(delete(PeriodAgency).where(PeriodAgency.period_id == gone.id))
        await session.delete(gone)
        ch["periods removed"] += 1
