"""Issue 29: an agency never owes what it receives or compiles — whatever a group, a plan file or a hand-over says.

Tuyên Quang loaded over plan 46 (real CLI, real database: SQLite, and PostgreSQL when configured). A plan of 2026
whose quarterly report goes to Thanh tra tỉnh from "@departments" reminds every department but Thanh tra tỉnh; the
import says so in one line; naming the receiver by code among those who owe is refused. When Sở Lao động - Thương
binh và Xã hội is split among Sở Nội vụ, Sở Y tế and Sở Giáo dục và Đào tạo, Sở Nội vụ is not handed the reports
that go "qua Sở Nội vụ tổng hợp".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli_runner import Result, run_cli
from tests.conftest import Database

INSPECTION = """
[plan]
number = "15/KH-TTr"
title = "Thanh tra trách nhiệm thực hiện pháp luật về tiếp công dân năm 2026"
issuing_body = "Ủy ban nhân dân tỉnh Tuyên Quang"
issued_on = 2026-01-12
signer = "Người ký"
signer_title = "Phó Chủ tịch Ủy ban nhân dân tỉnh"
year = 2026

[[tasks]]
ref = "II.1"
title = "Tự kiểm tra việc tiếp công dân"
carry_out = ["@departments"]
text = "Các sở, ban, ngành tự kiểm tra việc tiếp công dân tại cơ quan, đơn vị."

[[series]]
code = "quy"
name = "Báo cáo quý"
recurrence = "quarterly"
wording = "trước ngày 15 tháng cuối quý"
owed_by = [{owed}]
receiver = "TTRA"
"""


@pytest.fixture
def cli(loaded: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(*args: str) -> Result:
        return run_cli(list(args), loaded.env, tmp_path)

    return run


def _plan(tmp_path: Path, owed: str) -> Path:
    path = tmp_path / "15-KH-TTr-2026.toml"
    path.write_text(INSPECTION.replace("{owed}", owed), encoding="utf-8")
    return path


def test_the_receiver_is_left_out_of_a_group_and_refused_by_code(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("province", "load", "Tuyên Quang", "--from", "2025-07-01").code == 0
    named = cli("import-plan", str(_plan(tmp_path, '"@departments", "TTRA"')))
    assert named.code != 0 and "'TTRA' receives or compiles this report" in named.err, named.err
    imported = cli("import-plan", str(_plan(tmp_path, '"@departments"')))
    assert imported.code == 0, imported.err
    assert "Báo cáo quý: Thanh tra tỉnh nhận báo cáo này nên không phải gửi" in imported.out
    status = cli("status", "15/KH-TTr quy:2026-Q1", "--json")
    assert status.code == 0, status.err
    owing = {row["agency"] for row in status.json()}
    departments = {a["code"] for a in cli("agencies", "--json").json() if a["kind"] == "department"}
    assert owing == departments - {"TTRA"}, (departments - owing, owing - departments)


def test_a_hand_over_never_gives_the_compiler_its_own_reports(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Plans of 2026 imported while the registry still held 2023's departments, then the province loaded: Sở Lao
    động - Thương binh và Xã hội's reports of 2026 go to its successors, but never to Sở Nội vụ, who compiles them."""
    xa = Path(__file__).parent / "fixtures" / "plans" / "cchc-2026-2027.toml"
    assert cli("import-plan", str(xa)).code == 0
    before = cli("agencies", "--json").json()
    owes = {a["code"]: a["owes"] for a in before}
    assert any(s.startswith("12/KH-UBND") for s in owes["SLDTBXH"])
    assert cli("province", "load", "Tuyên Quang", "--from", "2025-07-01").code == 0
    status = cli("status", "12/KH-UBND quy:2026-Q1", "--json")
    assert status.code == 0, status.err
    owing = {row["agency"] for row in status.json()}
    assert "SNV" not in owing and {"SYT", "SGDDT"} <= owing, owing


FIXTURES = sorted((Path(__file__).parent / "fixtures" / "plans").glob("*-2026*.toml"))


def test_a_year_of_reminders_never_asks_an_agency_to_report_to_itself_and_names_the_compiler(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    """Issue 29's done-when, for a year of 2026 in Tuyên Quang with the fixtures' plans: no reminder asks Sở Nội vụ
    (who compiles) or Thanh tra tỉnh (who receives) to send to itself, and every reminder that goes through Sở Nội
    vụ says "(qua Sở Nội vụ tổng hợp)", whether or not the plan file spelled it out (12/KH-UBND's 6-month, 9-month
    and annual series do not)."""
    assert cli("province", "load", "Tuyên Quang", "--from", "2025-07-01").code == 0
    assert len(FIXTURES) >= 4
    for plan_file in [*FIXTURES, _plan(tmp_path, '"@departments"')]:
        assert cli("import-plan", str(plan_file)).code == 0, plan_file
    for agency in ("STP", "SNV", "TTRA"):
        shown = cli("reminders", "--from", "2026-01-01", "--to", "2026-12-31", "--agency", agency, "--text")
        assert shown.code == 0, shown.err
        blocks = [b for b in shown.out.split("── ") if "Kính gửi" in b]
        if agency == "STP":
            assert len(blocks) > 50
        for block in blocks:
            asked = re.search(
                r"đề nghị (.+?) (?:gửi|khẩn trương gửi) .+? về (.+?)(?: chậm nhất| trước|:| \(qua)", block
            )
            assert "Sở Nội vụ đề nghị Sở Nội vụ" not in block, block
            if asked is not None:
                assert asked.group(1) != asked.group(2), block
            if "Sở Nội vụ đề nghị" in block:
                assert "(qua Sở Nội vụ tổng hợp)" in block, block
