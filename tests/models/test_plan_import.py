"""Importing plan 46: first import, idempotent re-import, in-place update that keeps submissions."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import func, select

from core.deadlines import VN_TZ
from core.planfile import ImportReport, PeriodSpec, PlanSpec
from core.types import OPERATOR
from core.usecases import plan
from models import tables as t
from models.repos.agencies import SqlAgencies
from models.repos.periods import SqlPeriods
from tests.conftest import Database
from tests.factories import submit
from tests.snapshot import snapshot


async def import_plan(db: Database, spec: PlanSpec) -> ImportReport:
    async with db.uows() as uow:
        report = await plan.import_plan(uow, OPERATOR, spec)
        await uow.commit()
    return report


async def test_first_import_writes_the_whole_plan(loaded: Database) -> None:
    async with loaded.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.Agency)) == 36
        assert await s.scalar(select(func.count()).select_from(t.Task)) == 30
        assert await s.scalar(select(func.count()).select_from(t.ReportPeriod)) == 11
        ttra = await SqlAgencies(s).by_code("TTRA")
        assert ttra is not None
        found = await SqlAgencies(s).tasks_of(ttra.id)
        refs = [x.ref for x in found]
        assert refs[:11] == [f"II.{i}" for i in range(1, 12)]
        assert {(x.ref, x.paragraph) for x in found} >= {("III.7", 1), ("III.7", 2)}
        assert "III.1" not in refs
        audit = (await s.scalars(select(t.AuditLog))).all()
        assert [a.action for a in audit] == ["import_plan"]


async def test_reimport_changes_nothing(loaded: Database, plan46: PlanSpec) -> None:
    before = await snapshot(loaded.engine)
    report = await import_plan(loaded, plan46)
    assert not report.changed, report.changes
    assert await snapshot(loaded.engine) == before


async def test_edited_plan_updates_in_place_and_keeps_submissions(loaded: Database, plan46: PlanSpec) -> None:
    await submit(loaded, "STC", "thang:2023-04", datetime(2023, 4, 14, 9, tzinfo=VN_TZ))
    async with loaded.sessions() as s:
        period_ids = {p.key: p.id for p in await SqlPeriods(s).all()}

    monthly = next(x for x in plan46.series if x.code == "thang")
    shifted = tuple(dataclasses.replace(p, due_at=p.due_at.replace(day=10)) for p in monthly.periods[1:])  # drop April
    edited = dataclasses.replace(
        plan46,
        title=plan46.title + " (sửa đổi)",
        tasks=tuple(dataclasses.replace(x, title="Tiêu đề mới") if x.ref == "III.4" else x for x in plan46.tasks[:-1]),
        series=tuple(dataclasses.replace(x, periods=shifted) if x.code == "thang" else x for x in plan46.series),
    )
    report = await import_plan(loaded, edited)
    assert report.changes["plan updated"] == 1
    assert report.changes["tasks updated"] == 1
    assert report.changes["tasks removed"] == 1
    assert report.changes["periods updated"] == 8
    assert report.kept_periods == ["Báo cáo tháng 4/2023"]

    async with loaded.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.Task)) == 29
        assert await s.scalar(select(func.count()).select_from(t.Submission)) == 1
        after = {p.key: p for p in await SqlPeriods(s).all()}
        assert {k: p.id for k, p in after.items()} == period_ids  # updated in place, never recreated
        assert after["2023-05"].due_at == datetime(2023, 5, 10, 23, 59, 59, tzinfo=VN_TZ)


async def test_removed_period_without_submissions_is_deleted(loaded: Database, plan46: PlanSpec) -> None:
    extra = PeriodSpec(
        "2024-01",
        "Báo cáo tháng 1/2024",
        datetime(2024, 1, 1, tzinfo=VN_TZ),
        datetime(2024, 1, 15, 23, 59, 59, tzinfo=VN_TZ),
    )
    monthly = next(x for x in plan46.series if x.code == "thang")
    grown = dataclasses.replace(
        plan46,
        series=tuple(
            dataclasses.replace(x, periods=(*monthly.periods, extra)) if x.code == "thang" else x for x in plan46.series
        ),
    )
    assert (await import_plan(loaded, grown)).changes["periods created"] == 1
    assert (await import_plan(loaded, plan46)).changes["periods removed"] == 1
    async with loaded.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.ReportPeriod)) == 11
