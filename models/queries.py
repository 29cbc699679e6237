"""Read-side repository: rows leave as plain dataclasses from core.types."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import Agency, AgencyKind, AssignedTask, Period, PeriodStatusRow, TaskRole
from models import tables as t


def agency_dc(row: t.Agency) -> Agency:
    return Agency(id=row.id, code=row.code, name=row.name, kind=AgencyKind(row.kind), active=row.active)


def period_select() -> Select[tuple[t.ReportPeriod, t.ReportSeries, t.Plan]]:
    return (
        select(t.ReportPeriod, t.ReportSeries, t.Plan)
        .join(t.ReportSeries, t.ReportSeries.id == t.ReportPeriod.series_id)
        .join(t.Plan, t.Plan.id == t.ReportSeries.plan_id)
    )


def period_dc(p: t.ReportPeriod, s: t.ReportSeries, plan: t.Plan) -> Period:
    return Period(
        id=p.id,
        series_code=s.code,
        series_name=s.name,
        plan_number=plan.number,
        key=p.key,
        label=p.label,
        opens_at=p.opens_at,
        due_at=p.due_at,
        wording=s.wording,
    )


async def list_agencies(session: AsyncSession, include_inactive: bool = False) -> list[Agency]:
    q = select(t.Agency).order_by(t.Agency.kind, t.Agency.id)
    if not include_inactive:
        q = q.where(t.Agency.active.is_(True))
    return [agency_dc(r) for r in (await session.scalars(q)).all()]


async def agency_by_code(session: AsyncSession, code: str) -> Agency | None:
    row = await session.scalar(select(t.Agency).where(t.Agency.code == code.strip().upper()))
    return agency_dc(row) if row else None


async def tasks_for_agency(session: AsyncSession, agency_id: int) -> list[AssignedTask]:
    q = (
        select(t.Task, t.TaskAssignment.role, t.Plan.number)
        .join(t.TaskAssignment, t.TaskAssignment.task_id == t.Task.id)
        .join(t.Plan, t.Plan.id == t.Task.plan_id)
        .where(t.TaskAssignment.agency_id == agency_id)
        .order_by(t.Plan.issued_on, t.Plan.id, t.Task.position)
    )
    return [
        AssignedTask(plan_number=num, ref=task.ref, title=task.title, text=task.text, role=TaskRole(role))
        for task, role, num in (await session.execute(q)).all()
    ]


async def list_periods(
    session: AsyncSession, due_from: datetime | None = None, due_to: datetime | None = None
) -> list[Period]:
    q = period_select().order_by(t.ReportPeriod.due_at, t.ReportSeries.code)
    if due_from is not None:
        q = q.where(t.ReportPeriod.due_at >= due_from)
    if due_to is not None:
        q = q.where(t.ReportPeriod.due_at <= due_to)
    return [period_dc(*row) for row in (await session.execute(q)).all()]


async def find_period(session: AsyncSession, ref: str | None, now: datetime) -> Period | None:
    """A period by key ("2023-04"), series:key ("thang:2023-04") or label; None → the most recently due."""
    q = period_select()
    if ref is None:
        row = (
            await session.execute(q.where(t.ReportPeriod.due_at <= now).order_by(t.ReportPeriod.due_at.desc()))
        ).first()
        if row is None:
            row = (await session.execute(q.order_by(t.ReportPeriod.due_at))).first()
        return period_dc(*row) if row else None
    ref = ref.strip()
    conds = [t.ReportPeriod.label == ref, t.ReportPeriod.key == ref]
    if ":" in ref:
        series, key = ref.split(":", 1)
        conds.append(and_(t.ReportSeries.code == series, t.ReportPeriod.key == key))
    rows = (await session.execute(q.where(or_(*conds)).order_by(t.ReportPeriod.due_at))).all()
    return period_dc(*rows[0]) if len(rows) == 1 else None


async def owing_agencies(session: AsyncSession, period_id: int) -> list[Agency]:
    q = (
        select(t.Agency)
        .join(t.PeriodAgency, t.PeriodAgency.agency_id == t.Agency.id)
        .where(t.PeriodAgency.period_id == period_id, t.Agency.active.is_(True))
        .order_by(t.Agency.kind, t.Agency.id)
    )
    return [agency_dc(r) for r in (await session.scalars(q)).all()]


async def period_status(session: AsyncSession, period_id: int) -> list[PeriodStatusRow]:
    """Every agency owing the period with its live submission, if any."""
    live = (
        await session.scalars(
            select(t.Submission).where(t.Submission.period_id == period_id, t.Submission.undone_at.is_(None))
        )
    ).all()
    by_agency = {s.agency_id: s for s in live}
    out = []
    for a in await owing_agencies(session, period_id):
        s = by_agency.get(a.id)
        out.append(
            PeriodStatusRow(
                agency=a,
                submitted_at=s.confirmed_at if s else None,
                late=s.late if s else None,
                document_number=s.document_number if s else None,
            )
        )
    return out


async def all_tasks(session: AsyncSession) -> list[dict[str, object]]:
    """Every task of every plan with its lead and coordinating agency codes."""
    tasks = (
        await session.execute(
            select(t.Task, t.Plan.number).join(t.Plan, t.Plan.id == t.Task.plan_id).order_by(t.Plan.id, t.Task.position)
        )
    ).all()
    links = (
        await session.execute(
            select(t.TaskAssignment.task_id, t.TaskAssignment.role, t.Agency.code).join(
                t.Agency, t.Agency.id == t.TaskAssignment.agency_id
            )
        )
    ).all()
    by_task: dict[int, dict[str, list[str]]] = {}
    for task_id, role, code in links:
        by_task.setdefault(task_id, {"lead": [], "coordinate": []})[role].append(code)
    return [
        {"plan": num, "ref": task.ref, "title": task.title, "text": task.text, **by_task.get(task.id, {})}
        for task, num in tasks
    ]


async def period_by_id(session: AsyncSession, period_id: int) -> Period | None:
    row = (await session.execute(period_select().where(t.ReportPeriod.id == period_id))).first()
    return period_dc(*row) if row else None
