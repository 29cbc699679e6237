"""Daily and weekly reports through the real CLI (issue 31): an emergency plan whose departments report "trước 19h00
hằng ngày" and "trước 15h00 thứ Năm hằng tuần" imports; its periods are named as officials name them ("Báo cáo
ngày 12/6/2026", "Báo cáo tuần 24/2026 (8/6–12/6)") and due at the plan's hour; a daily report is reminded once,
on its own day, weekends included, a weekly one the day before and the day; the hour is said in the message, and a
report after it is late."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from tests.cli_runner import ENTRY, Result, run_cli
from tests.conftest import ROOT, Database

pytestmark = pytest.mark.skipif(not ENTRY.exists(), reason="the nhacviec script is not installed (run make test)")
PLAN = ROOT / "tests" / "fixtures" / "plans" / "ung-pho-mua-lu-2026.toml"


@pytest.fixture
def cli(database: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(*args: str, **env: str) -> Result:
        return run_cli(list(args), {**database.env, **env}, tmp_path)

    imported = run("import-plan", str(PLAN))
    assert imported.code == 0, imported.err
    return run


def test_daily_and_weekly_periods_are_named_and_due_at_the_plans_hour(cli) -> None:  # type: ignore[no-untyped-def]
    periods = [p for p in cli("periods", "--json").json() if p["plan"] == "88/KH-UBND"]
    by_series: dict[str, list[dict[str, str]]] = defaultdict(list)
    for p in periods:
        by_series[p["series"]].append(p)
    daily, weekly = by_series["ngay"], by_series["tuan"]
    # Issued on Friday 5/6/2026: the first daily report is Saturday's, every day to the end of the year.
    assert [p["key"] for p in daily[:3]] == ["2026-06-06", "2026-06-07", "2026-06-08"] and len(daily) == 209
    june_12 = next(p for p in daily if p["key"] == "2026-06-12")
    assert june_12["label"] == "Báo cáo ngày 12/6/2026" and june_12["due_at"].startswith("2026-06-12T18:59:59")
    assert june_12["extended_to"] is None
    sunday = next(p for p in daily if p["key"] == "2026-06-07")
    assert sunday["extended_to"] is None  # an hour the plan sets on a day off is kept: the emergency asks for it
    # Weekly: due Thursday before 15h00; week 23's Thursday (4/6) came before the plan.
    assert weekly[0]["key"] == "2026-W24" and weekly[0]["label"] == "Báo cáo tuần 24/2026 (8/6–12/6)"
    assert weekly[0]["due_at"].startswith("2026-06-11T14:59:59")
    assert weekly[-1]["key"] == "2026-W53" and len(weekly) == 30


def test_a_daily_report_is_reminded_once_on_its_day_and_a_weekly_one_the_day_before(cli) -> None:  # type: ignore[no-untyped-def]
    points = [p for p in cli("reminders", "--from", "2026-06-06", "--to", "2026-06-16", "--json").json() if p["plan"]]
    daily = [(p["at"][:16], p["kind"]) for p in points if p["period"].startswith("Báo cáo ngày")]
    assert daily == [(f"2026-06-{d:02d}T08:00", "due") for d in range(6, 17)]  # 6/6 and 7/6 are a weekend
    weekly = [(p["at"][:10], p["kind"]) for p in points if p["period"].startswith("Báo cáo tuần 24/2026")]
    assert weekly == [
        ("2026-06-10", "before"),
        ("2026-06-11", "due"),
        ("2026-06-12", "overdue"),  # chased once
        ("2026-06-16", "escalation"),
    ]
    text = cli("reminders", "--from", "2026-06-11", "--to", "2026-06-11", "--text").out
    said = " ".join(text.split())
    assert "Báo cáo ngày 11/6/2026" in said and "chậm nhất 19h00 ngày thứ Năm, 11/6/2026" in said
    assert "Báo cáo tuần 24/2026 (8/6–12/6)" in said and "chậm nhất 15h00 ngày thứ Năm, 11/6/2026" in said


def test_a_daily_report_after_its_hour_is_late(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("submit", "SCT", "ngay:2026-06-11", "--at", "2026-06-11T18:30:00+07:00").code == 0
    assert cli("submit", "SYT", "ngay:2026-06-11", "--at", "2026-06-11T19:30:00+07:00").code == 0
    rows = {r["agency"]: r["status"] for r in cli("status", "88/KH-UBND ngay:2026-06-11", "--json").json()}
    assert rows == {"SCT": "on_time", "SYT": "late"}
