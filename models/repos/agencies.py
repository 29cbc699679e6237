"""Agencies and the tasks plans assign to them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.planfile import ImportReport, PlanSpec
from core.types import Agency, AssignedTask, TaskListing, TaskRole
from models import tables as t
from models.plan_import import import_plan
from models.repos import rows


class SqlAgencies:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def all(self, include_inactive: bool = False) -> list[Agency]:
        q = select(t.Agency).order_by(t.Agency.kind, t.Agency.id)
        if not include_inactive:
            q = q.where(t.Agency.active.is_(True))
        return [rows.agency(r) for r in (await self.s.scalars(q)).all()]

    async def by_code(self, code: str) -> Agency | None:
        row = await self.s.scalar(select(t.Agency).where(t.Agency.code == code.strip().upper()))
        return rows.agency(row) if row else None

    async def tasks_of(self, agency_id: int) -> list[AssignedTask]:
        q = (
            select(t.Task, t.TaskAssignment.role, t.Plan.number)
            .join(t.TaskAssignment, t.TaskAssignment.task_id == t.Task.id)
            .join(t.Plan, t.Plan.id == t.Task.plan_id)
            .where(t.TaskAssignment.agency_id == agency_id)
            .order_by(t.Plan.issued_on, t.Plan.id, t.Task.position)
        )
        return [
            AssignedTask(plan_number=num, ref=task.ref, title=task.title, text=task.text, role=TaskRole(role))
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
            by_task.setdefault(task_id, {TaskRole.LEAD: [], TaskRole.COORDINATE: []})[role].append(code)
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
                )
            )
        return out

    async def import_plan(self, spec: PlanSpec, actor: str) -> ImportReport:
        return await import_plan(self.s, spec, actor)
