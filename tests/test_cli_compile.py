"""A period's documents from the database (issue 32), through the real CLI: April 2023 of plan 46 with one report on
time, one late and the rest not sent; `nhacviec compile` writes the compilation sheet, the .zip of the files (none
here), the draft of the compiled report and the draft of the chasing letter, and reading them back (openpyxl,
python-docx) finds every owing agency in the office's order with its state and number, the figures, the table of
the agencies late and not sent, Điều 148's extension (15/4/2023 was a Saturday), and the letter addressed to exactly
those not sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.cli_runner import ENTRY, Result, run_cli
from tests.conftest import Database

pytestmark = pytest.mark.skipif(not ENTRY.exists(), reason="the nhacviec script is not installed (run make test)")
PERIOD = "46/KH-UBND thang:2023-04"


@pytest.fixture
def cli(loaded: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(*args: str) -> Result:
        return run_cli(list(args), loaded.env, tmp_path)

    return run


def _text(doc: object) -> str:
    return "\n".join(p.text for p in doc.paragraphs)  # type: ignore[attr-defined]


def test_a_periods_sheet_report_and_letter(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert (
        cli("submit", "STP", "thang:2023-04", "--so-van-ban", "125/BC-STP", "--at", "2023-04-14T09:00+07:00").code == 0
    )
    assert (
        cli("submit", "STC", "thang:2023-04", "--so-van-ban", "90/BC-STC", "--at", "2023-04-19T09:00+07:00").code == 0
    )
    owed = {r["agency"]: r for r in cli("status", PERIOD, "--json").json()}
    made = cli("compile", PERIOD, "--out", str(tmp_path / "ho-so"))
    assert made.code == 0, made.err
    files = [Path(line) for line in made.out.split()]
    assert [f.name for f in files] == [
        "46-KH-UBND_thang_2023-04_bang-tong-hop.xlsx",
        "46-KH-UBND_thang_2023-04_cac-tep-bao-cao.zip",
        "46-KH-UBND_thang_2023-04_du-thao-bao-cao.docx",
        "46-KH-UBND_thang_2023-04_du-thao-cong-van-don-doc.docx",
    ]
    sheet, _, report, letter = files

    # The sheet: every owing agency in the office's order (as `status` lists them), its state and number.
    ws = load_workbook(sheet).active
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    names = {r["agency"]: r["name"] for r in owed.values()}
    assert [r[1] for r in rows] == [r["name"] for r in owed.values()] and len(rows) == len(owed) == 24
    by_name = {r[1]: r for r in rows}
    assert by_name[names["STP"]][2:5] == ("Đúng hạn", None, "125/BC-STP")
    assert by_name[names["STC"]][2:5] == ("Gửi chậm 2 ngày làm việc", 2, "90/BC-STC")
    assert by_name[names["SYT"]][2].startswith("Chưa gửi")
    assert "Kế hoạch số 46/KH-UBND" in ws["A1"].value

    # The compiled report: the header of Sở Nội vụ, the figures, the table of the agencies late and not sent.
    doc = Document(str(report))
    text = _text(doc)
    header = " ".join(p.text for cell in doc.tables[0].rows[0].cells for p in cell.paragraphs)
    assert "SỞ NỘI VỤ" in header and "Số:" in header and "/BC-SNV" in header and "Tuyên Quang, ngày" in header
    assert "BÁO CÁO" in text and "Thực hiện Kế hoạch số 46/KH-UBND ngày 14/3/2023" in text
    assert "Tổng số cơ quan, đơn vị phải gửi báo cáo: 24." in text
    assert "Gửi đúng hạn: 1; gửi chậm: 1; chưa gửi: 22." in text
    assert "hạn chót thứ Bảy, 15/4/2023" in text and "Điều 148" in text and "thứ Hai, 17/4/2023" in text
    assert [h.text for h in doc.paragraphs if h.style is not None and h.style.name == "Heading 1"] == [
        "I. TÌNH HÌNH GỬI BÁO CÁO",
        "II. CÁC CƠ QUAN, ĐƠN VỊ GỬI CHẬM, CHƯA GỬI BÁO CÁO",
        "III. ĐÁNH GIÁ, ĐỀ XUẤT",
    ]
    table = doc.tables[1]
    listed = [row.cells[1].text for row in table.rows[1:]]
    assert table.style is not None and table.style.name == "Table Grid"
    assert len(listed) == 23 and names["STP"] not in listed
    assert next(row.cells[3].text for row in table.rows if row.cells[1].text == names["STC"]) == (
        "90/BC-STC, gửi thứ Tư, 19/4/2023"
    )

    # The chasing letter: to exactly the agencies not sent, with the plan's words and the deadline.
    text = _text(Document(str(letter)))
    addressed = [line[2:].rstrip(";.") for line in text.splitlines() if line.startswith("- ")]
    assert sorted(addressed) == sorted(r["name"] for r in owed.values() if r["status"] == "missing")
    assert "V/v đôn đốc gửi Báo cáo tháng 4/2023 theo Kế hoạch số 46/KH-UBND" in text
    assert "Kính gửi:" in text and "“chậm nhất trong ngày 15 hàng tháng”" in text and "Sở Nội vụ đề nghị" in text


def test_compile_is_for_a_period_that_exists(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    refused = cli("compile", "46/KH-UBND thang:2031-01", "--out", str(tmp_path / "x"))
    assert refused.code == 2 and not (tmp_path / "x").exists()


def test_the_report_compares_the_on_time_rate_with_the_period_before(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for code in ("STP", "STC", "SYT"):  # April: three of 24 on time (12,5%); May: one (4,2%)
        assert cli("submit", code, "thang:2023-04", "--at", "2023-04-14T09:00+07:00").code == 0
    assert cli("submit", "STP", "thang:2023-05", "--at", "2023-05-12T09:00+07:00").code == 0
    made = cli("compile", "46/KH-UBND thang:2023-05", "--out", str(tmp_path))
    assert made.code == 0, made.err
    text = _text(Document(str(Path(made.out.split()[2]))))
    assert "Tỷ lệ gửi đúng hạn: 4,2%, so với Báo cáo tháng 4/2023 (12,5%) giảm 8,3 điểm phần trăm." in text
