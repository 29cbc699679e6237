"""Agencies and the tasks plans assign to them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import LineageError
from core.plandiff import PlanDiff, StoredPlan
from core.planfile import PlanSpec
from core.types import Agency, AssignedTask, PlanListing, TaskListing, TaskRole
from models import plan_import
from models import tables as t
from models.repos import rows
from models.repos.rows import lineage


class SqlAgencies:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def all(self, include_inactive: bool = False) -> list[Agency]:
        q = select(t.Agency).order_by(t.Agency.kind, t.Agency.id)
        if not include_inactive:
            q = q.where(t.Agency.active.is_(True), t.Agency.ended_on.is_(None))
        known = await lineage(self.s)
        return [rows.agency(r, known) for r in (await self.s.scalars(q)).all()]

    async def by_code(self, code: str) -> Agency | None:
        row = await self.s.scalar(select(t.Agency).where(t.Agency.code == code.strip().upper()))
        return rows.agency(row, await lineage(self.s)) if row else None

    async def owed_series(self) -> dict[int, list[str]]:
        found = await self.s.execute(
            select(t.SeriesAgency.agency_id, t.Plan.number, t.ReportSeries.code)
            .join(t.ReportSeries, t.ReportSeries.id == t.SeriesAgency.series_id)
            .join(t.Plan, t.Plan.id == t.ReportSeries.plan_id)
            .order_by(t.Plan.issued_on, t.Plan.id, t.ReportSeries.id)
        )
        out: dict[int, list[str]] = defaultdict(list)
        for agency_id, number, code in found.tuples().all():
            out[agency_id].append(f"{number}:{code}")
        return dict(out)

    async def plans(self) -> list[PlanListing]:
        tasks = select(func.count(t.Task.id)).where(t.Task.plan_id == t.Plan.id).scalar_subquery()
        series = select(func.count(t.ReportSeries.id)).where(t.ReportSeries.plan_id == t.Plan.id).scalar_subquery()
        found = await self.s.execute(select(t.Plan, tasks, series).order_by(t.Plan.issued_on.desc(), t.Plan.id.desc()))
        return [
            PlanListing(p.id, p.number, p.title, p.issued_on, p.year, p.year_to, int(n_tasks), int(n_series))
            for p, n_tasks, n_series in found.tuples().all()
        ]

    async def rename(self, agency_id: int, name: str, from_day: date) -> None:
        row = await self.s.get_one(t.Agency, agency_id)
        last = await self.s.scalar(
            select(t.AgencyName.until).where(t.AgencyName.agency_id == agency_id).order_by(t.AgencyName.until.desc())
        )
        if last is not None and from_day <= last:
            raise LineageError(f"đã đổi tên từ ngày {last:%d/%m/%Y} (already renamed from {last.isoformat()})")
        self.s.add(t.AgencyName(agency_id=agency_id, name=row.name, until=from_day))
        row.name = name
        await self.s.flush()

    async def end(self, agency_id: int, from_day: date, successor_id: int | None) -> None:
        row = await self.s.get_one(t.Agency, agency_id)
        if row.ended_on is not None:
            raise LineageError(f"đã kết thúc từ ngày {row.ended_on:%d/%m/%Y} (ended already)")
        if successor_id is not None:
            successor = await self.s.get_one(t.Agency, successor_id)
            if successor.id == row.id or successor.ended_on is not None:
                raise LineageError("cơ quan tiếp nhận không hợp lệ (the successor is itself or has ended)")
        row.ended_on, row.successor_id = from_day, successor_id
        await self.s.flush()

    async def tasks_of(self, agency_id: int) -> list[AssignedTask]:
        q = (
            select(t.Task, t.TaskAssignment.role, t.Plan.number)
            .join(t.TaskAssignment, t.TaskAssignment.task_id == t.Task.id)
            .join(t.Plan, t.Plan.id == t.Task.plan_id)
            .where(t.TaskAssignment.agency_id == agency_id)
            .order_by(t.Plan.issued_on, t.Plan.id, t.Task.position)
        )
        return [
            AssignedTask(num, task.ref, task.title, task.text, TaskRole(role), task.paragraph)
            for task, role, num in (await self.s.execute(q)).all()
        ]

    async def all_tasks(self) -> list[TaskListing]:
        tasks = (
            await self.s.execute(
                select(t.Task, t.Plan.number)
                .join(t.Plan, t.Plan.id == t.Task.plan_id)
                .order_by(t.Plan.id, t.Task.position)
            )
        ).all()
        links = (
            await self.s.execute(
                select(t.TaskAssignment.task_id, t.TaskAssignment.role, t.Agency.code)
                .join(t.Agency, t.Agency.id == t.TaskAssignment.agency_id)
                .order_by(t.Agency.kind, t.Agency.id)
            )
        ).all()
        by_task: dict[int, dict[str, list[str]]] = {}
        for task_id, role, code in links:
            by_task.setdefault(task_id, {r: [] for r in TaskRole})[TaskRole(role)].append(code)
        out = []
        for task, number in tasks:
            roles = by_task.get(task.id, {})
            out.append(
                TaskListing(
                    number,
                    task.ref,
                    task.title,
                    task.text,
                    tuple(roles.get(TaskRole.LEAD, ())),
                    tuple(roles.get(TaskRole.COORDINATE, ())),
                    tuple(roles.get(TaskRole.CARRY_OUT, ())),
                    task.paragraph,
                )
            )
        return out

    async def stored_plan(self, number: str) -> StoredPlan:
        return await plan_import.load(self.s, number)

    async def apply_plan(self, spec: PlanSpec, diff: PlanDiff) -> None:
        await plan_import.apply(self.s, spec, diff)
