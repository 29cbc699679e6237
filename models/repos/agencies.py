"""Agencies and the tasks plans assign to them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import LineageError
from core.plandiff import PlanDiff, StoredPlan
from core.planfile import PlanSpec
from core.types import Agency, AgencyKind, AssignedTask, PlanListing, TaskListing, TaskRole
from models import plan_import
from models import tables as t
from models.repos import rows
from models.repos.periods import due_from
from models.repos.rows import lineage


class SqlAgencies:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def all(self, include_inactive: bool = False) -> list[Agency]:
        q = select(t.Agency).order_by(*rows.AGENCY_ORDER)
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

    async def _ending(self, agency_id: int, successor_ids: list[int]) -> t.Agency:
        """The agency's row, once it is known to be still in being and its successors valid."""
        row = await self.s.get_one(t.Agency, agency_id)
        if row.ended_on is not None:
            raise LineageError(
                f"đã kết thúc từ ngày {row.ended_on.day}/{row.ended_on.month}/{row.ended_on.year} (ended already)"
            )
        for sid in successor_ids:
            successor = await self.s.get_one(t.Agency, sid)
            if successor.id == row.id or successor.ended_on is not None:
                raise LineageError("cơ quan tiếp nhận không hợp lệ (the successor is itself or has ended)")
        return row

    async def end(self, agency_id: int, from_day: date, successor_id: int | None) -> None:
        row = await self._ending(agency_id, [successor_id] if successor_id is not None else [])
        row.ended_on, row.successor_id = from_day, successor_id
        await self.s.flush()

    async def split(self, agency_id: int, from_day: date, successor_ids: list[int], takers: list[int]) -> None:
        row = await self._ending(agency_id, successor_ids)
        row.ended_on = from_day
        for n, sid in enumerate(successor_ids):
            self.s.add(t.AgencySuccessor(agency_id=agency_id, successor_id=sid, position=n))
        await self.s.flush()
        if takers:
            await self._hand_over(agency_id, from_day, takers)

    async def _hand_over(self, agency_id: int, from_day: date, takers: list[int]) -> None:
        """The takers owe what the agency owed from ``from_day`` (the series with periods due from then, and those
        periods) and take its tasks of plans still in force that year, with the same role; a plan that ended before
        stays as it was (2023's plan is not handed to 2025's communes)."""
        running = select(t.ReportPeriod.series_id).where(due_from(from_day)).distinct().scalar_subquery()
        series = (
            await self.s.scalars(
                select(t.SeriesAgency.series_id).where(
                    t.SeriesAgency.agency_id == agency_id, t.SeriesAgency.series_id.in_(running)
                )
            )
        ).all()
        periods = (
            await self.s.scalars(
                select(t.PeriodAgency.period_id)
                .join(t.ReportPeriod, t.ReportPeriod.id == t.PeriodAgency.period_id)
                .where(t.PeriodAgency.agency_id == agency_id, due_from(from_day))
            )
        ).all()
        tasks = (
            await self.s.execute(
                select(t.TaskAssignment.task_id, t.TaskAssignment.role)
                .join(t.Task, t.Task.id == t.TaskAssignment.task_id)
                .join(t.Plan, t.Plan.id == t.Task.plan_id)
                .where(
                    t.TaskAssignment.agency_id == agency_id, func.coalesce(t.Plan.year_to, t.Plan.year) >= from_day.year
                )
            )
        ).all()
        period_series = dict(
            (
                await self.s.execute(
                    select(t.ReportPeriod.id, t.ReportPeriod.series_id).where(t.ReportPeriod.id.in_(periods))
                )
            )
            .tuples()
            .all()
        )
        for taker in takers:
            # Never a report the taker receives or compiles itself (issue 29: Sở Nội vụ was handed Sở Lao động -
            # Thương binh và Xã hội's reports "qua Sở Nội vụ tổng hợp", and asked to send them to itself).
            own = set(
                (
                    await self.s.scalars(
                        select(t.ReportSeries.id).where(
                            or_(t.ReportSeries.receiver_agency_id == taker, t.ReportSeries.via_agency_id == taker)
                        )
                    )
                ).all()
            )
            owed = set(
                (await self.s.scalars(select(t.SeriesAgency.series_id).where(t.SeriesAgency.agency_id == taker))).all()
            )
            self.s.add_all(
                t.SeriesAgency(series_id=sid, agency_id=taker) for sid in series if sid not in owed and sid not in own
            )
            due = set(
                (await self.s.scalars(select(t.PeriodAgency.period_id).where(t.PeriodAgency.agency_id == taker))).all()
            )
            self.s.add_all(
                t.PeriodAgency(period_id=pid, agency_id=taker)
                for pid in periods
                if pid not in due and period_series[pid] not in own
            )
            held = set(
                (
                    await self.s.scalars(select(t.TaskAssignment.task_id).where(t.TaskAssignment.agency_id == taker))
                ).all()
            )
            self.s.add_all(
                t.TaskAssignment(task_id=tid, agency_id=taker, role=role) for tid, role in tasks if tid not in held
            )
        await self.s.flush()

    async def add(
        self,
        code: str,
        name: str,
        kind: AgencyKind,
        position: int,
        province: str | None,
        official_code: str | None,
        started_on: date | None = None,
    ) -> int:
        row = t.Agency(
            code=code,
            name=name,
            kind=kind.value,
            active=True,
            position=position,
            province=province,
            official_code=official_code,
            started_on=started_on,
        )
        self.s.add(row)
        await self.s.flush()
        return row.id

    async def place(self, agency_id: int, position: int, province: str | None, official_code: str | None) -> None:
        row = await self.s.get_one(t.Agency, agency_id)
        row.position, row.province = position, province
        if official_code:
            row.official_code = official_code
        await self.s.flush()

    async def by_official_code(self, official_code: str) -> Agency | None:
        row = await self.s.scalar(select(t.Agency).where(t.Agency.official_code == official_code))
        return rows.agency(row, await lineage(self.s)) if row else None

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
                .order_by(*rows.AGENCY_ORDER)
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
