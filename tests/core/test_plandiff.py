"""The plan import's rules as a pure function: a stored plan and a file → the changes, or the refusals."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from core.plandiff import StoredPeriod, StoredPlan, StoredSeries, StoredTask, diff, plan_fields, series_fields
from core.planfile import PlanFileError, PlanSpec
from core.types import Agency


def _stored(spec: PlanSpec, **changes: object) -> StoredPlan:
    """``spec`` as the database would hold it after importing it, with ``changes`` made."""
    registry = {a.code: Agency(i, a.code, a.name, a.kind, a.active) for i, a in enumerate(spec.agencies, 1)}
    tasks = {
        (t.ref, t.paragraph): StoredTask(t.title, t.text, pos, frozenset(t.assignments))
        for pos, t in enumerate(spec.tasks)
    }
    series = {
        s.code: StoredSeries(
            series_fields(s),
            frozenset(s.owed_by),
            {p.key: StoredPeriod(p.label, p.opens_at, p.due_at, frozenset(s.owed_by), 0) for p in s.periods},
        )
        for s in spec.series
    }
    stored = StoredPlan(plan_fields(spec), registry, {}, tasks, series)
    return dataclasses.replace(stored, **changes)  # type: ignore[arg-type]


def test_a_new_plan_creates_everything(plan46: PlanSpec) -> None:
    empty = StoredPlan(None, {}, {})
    found = diff(empty, plan46).report.changes
    assert found == {
        "plan created": 1,
        "agencies created": 36,
        "tasks created": 30,
        "series created": 4,  # monthly, 6-month, annual and ad hoc
        "periods created": 11,
    }


def test_the_same_file_again_changes_nothing(plan46: PlanSpec) -> None:
    d = diff(_stored(plan46), plan46)
    assert not d.changed and d.report.kept_periods == []


def test_a_period_left_out_is_removed_unless_reports_were_confirmed_for_it(plan46: PlanSpec) -> None:
    monthly = next(s for s in plan46.series if s.code == "thang")
    shorter = dataclasses.replace(
        plan46,
        series=tuple(dataclasses.replace(s, periods=s.periods[1:]) if s is monthly else s for s in plan46.series),
    )
    assert diff(_stored(plan46), shorter).report.changes == {"periods removed": 1}
    stored = _stored(plan46)
    april = stored.series["thang"].periods["2023-04"]
    stored.series["thang"].periods["2023-04"] = dataclasses.replace(april, submissions=1)
    d = diff(stored, shorter)
    assert not d.changed and d.report.kept_periods == ["Báo cáo tháng 4/2023"]


def test_an_agency_another_plan_uses_is_not_renamed_by_a_file(plan46: PlanSpec) -> None:
    renamed = dataclasses.replace(
        plan46,
        agencies=tuple(
            dataclasses.replace(a, name="Sở Tư pháp tỉnh") if a.code == "STP" else a for a in plan46.agencies
        ),
    )
    stored = _stored(plan46, used_elsewhere={"STP": frozenset({"12/KH-UBND"})})
    with pytest.raises(PlanFileError, match=r"STP.*12/KH-UBND.*--update-agencies"):
        diff(stored, renamed)
    assert diff(stored, renamed, update_agencies=True).report.changes == {"agencies updated": 1}
    assert diff(_stored(plan46), renamed).report.changes == {"agencies updated": 1}  # no other plan: it may


def test_an_agency_with_history_is_named_as_on_the_plans_date(plan46: PlanSpec) -> None:
    stored = _stored(plan46)
    stp = stored.agencies["STP"]
    stored.agencies["STP"] = dataclasses.replace(
        stp, name="Sở Tư pháp mới", former_names=(("Sở Tư pháp", date(2024, 1, 1)),)
    )
    assert not diff(stored, plan46).changed  # on 14/3/2023 it was "Sở Tư pháp", as the file says
    later = dataclasses.replace(plan46, issued_on=date(2024, 3, 1))
    with pytest.raises(PlanFileError, match="agencies rename"):
        diff(stored, later)


def test_task_changes_are_counted_once_each(plan46: PlanSpec) -> None:
    first, *rest = plan46.tasks
    edited = dataclasses.replace(
        plan46, tasks=(dataclasses.replace(first, title="Tiêu đề mới", assignments=first.assignments[:1]), *rest[:-1])
    )
    found = diff(_stored(plan46), edited).report.changes
    assert found == {"tasks updated": 1, "task assignments changed": 1, "tasks removed": 1}
