"""Every reporting regime through the real CLI: a plan of 2026–2027 with one series of each recurrence imports, and
`periods --json` gives each period's last day as the plan words it, the day the law runs it to when that is a day
off (Điều 148), the data it covers and its label as officials say it; `status --json` judges a report confirmed on
the Monday after a Saturday deadline on time, or late when the service keeps deadlines as written."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from tests.cli_runner import ENTRY, Result, run_cli
from tests.conftest import ROOT, Database

pytestmark = pytest.mark.skipif(not ENTRY.exists(), reason="the nhacviec script is not installed (run make test)")
REGIMES = ROOT / "tests" / "fixtures" / "plans" / "cchc-2026-2027.toml"


@pytest.fixture
def cli(database: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(*args: str, **env: str) -> Result:
        return run_cli(list(args), {**database.env, **env}, tmp_path)

    imported = run("import-plan", str(REGIMES))
    assert imported.code == 0, imported.err
    return run


def _days(periods: list[dict[str, str]], series: str) -> list[date]:
    return [date.fromisoformat(p["due_at"][:10]) for p in periods if p["series"] == series]


def test_a_plan_of_two_years_has_every_regime(cli) -> None:  # type: ignore[no-untyped-def]
    periods = cli("periods", "--json").json()
    by_series: dict[str, list[str]] = defaultdict(list)
    for p in periods:
        by_series[p["series"]].append(p["key"])
    # "trước ngày 05 tháng cuối cùng của mỗi quý": the 4th of March, June, September, December of each year.
    assert _days(periods, "quy") == [date(y, m, 4) for y in (2026, 2027) for m in (3, 6, 9, 12)]
    # "chậm nhất là ngày 20 của tháng cuối kỳ báo cáo": the 20th of the quarter's last month.
    assert _days(periods, "quy-cchc") == [date(y, m, 20) for y in (2026, 2027) for m in (3, 6, 9, 12)]
    assert _days(periods, "9thang") == [date(2026, 9, 14), date(2027, 9, 14)]  # "trước ngày 15/9 hằng năm"
    assert _days(periods, "6thang") == [date(2026, 6, 4), date(2027, 6, 4)]  # "trước ngày 05/6"
    assert _days(periods, "nam") == [date(2026, 11, 24), date(2027, 11, 24)]  # "trước ngày 25/11 hàng năm"
    # Issued 20/1/2026: January's report, due 15/1, is not owed; February's is the first.
    assert by_series["thang"][0] == "2026-02" and by_series["thang"][-1] == "2027-12" and len(by_series["thang"]) == 23
    assert by_series["quy"] == [f"{y}-Q{q}" for y in (2026, 2027) for q in (1, 2, 3, 4)]
    assert by_series["6thang"] == ["2026-H1", "2027-H1"] and by_series["9thang"] == ["2026-M9", "2027-M9"]
    labels = {p["key"]: p["label"] for p in periods if p["series"] in ("quy", "6thang", "9thang", "nam")}
    assert labels["2026-Q1"] == "Báo cáo quý I/2026" and labels["2027-Q4"] == "Báo cáo quý IV/2027"
    assert labels["2026-H1"] == "Báo cáo 6 tháng đầu năm 2026" and labels["2026-M9"] == "Báo cáo 9 tháng năm 2026"
    assert labels["2026"] == "Báo cáo năm 2026"
    first = next(p for p in periods if p["series"] == "quy-cchc")
    assert (first["data_from"], first["data_to"]) == ("2025-12-15", "2026-03-14")  # Nghị định 09/2019
    august = next(p for p in periods if p["series"] == "thang" and p["key"] == "2026-08")
    assert august["due_at"].startswith("2026-08-15") and august["extended_to"] == "2026-08-17"  # a Saturday
    assert next(p for p in periods if p["key"] == "2026-09")["extended_to"] is None  # 15/9/2026 is a Tuesday


def test_a_report_on_the_monday_after_a_saturday_deadline_is_on_time(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("submit", "STP", "thang:2026-08", "--at", "2026-08-17T09:00:00+07:00")
    assert done.code == 0 and "đúng hạn" in done.out, done.out
    rows = {r["agency"]: r for r in cli("status", "thang:2026-08", "--json").json()}
    assert rows["STP"]["status"] == "on_time"
    written = {
        r["agency"]: r for r in cli("status", "thang:2026-08", "--json", DEADLINE_ON_DAY_OFF="as_written").json()
    }
    assert written["STP"]["status"] == "late" and written["STP"]["days"] == 1


def test_a_wording_the_grammar_cannot_read_is_refused_naming_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "x.toml"
    broken.write_text(
        REGIMES.read_text(encoding="utf-8").replace(
            'wording = "trước ngày 15/9 hằng năm"', 'wording = "định kỳ 9 tháng một lần"'
        ),
        encoding="utf-8",
    )
    refused = cli("import-plan", str(broken))
    said = " ".join(refused.err.split())  # the terminal wraps long lines
    assert refused.code == 2
    assert "'định kỳ 9 tháng một lần'" in said and "ví dụ" in said and "series[4]" in said
