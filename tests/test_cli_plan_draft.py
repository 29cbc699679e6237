"""`nhacviec plan draft` as an operator runs it: a draft (TOML, or JSON with --json) from each kind of document,
exit 0 even when partial; and hostile or careless input (an empty or damaged .docx, a PDF locked by a password,
a 500-page PDF, a scan, junk named .pdf, a 20 MB text, an old .doc, text in TCVN3) refused in one line, exit 2,
no traceback, nothing written: no --out file, nothing in the database."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import tables
from tests.cli_runner import Result, run_cli
from tests.conftest import ROOT, Database
from tests.factories import add_agencies
from tests.plan_agreement import expected_of

SEED = ROOT / "tests" / "fixtures" / "plans" / "46-KH-UBND-2023"


@pytest.fixture
async def cli(database: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    reference, _ = expected_of("46-KH-UBND-2023")
    await add_agencies(database, reference.agencies)  # the province's agencies are known; no plan is

    def run(*args: str) -> Result:
        return run_cli(list(args), database.env, tmp_path)

    return run


async def _plans(database: Database) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(tables.Plan)) or 0)


async def test_a_docx_drafts_a_plan_file_that_imports(cli, database: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "46.toml"
    drafted = cli("plan", "draft", f"{SEED}.docx", "--out", str(out))
    assert drafted.code == 0, drafted.err
    assert "số 46/KH-UBND" in drafted.err and "30 nhiệm vụ, 4 chế độ báo cáo" in drafted.err
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Bản nháp kế hoạch đọc từ tệp “46-KH-UBND-2023.docx”")
    assert await _plans(database) == 0  # drafting writes nothing to the database
    imported = cli("import-plan", str(out))
    assert imported.code == 0, imported.err
    assert "tạo kế hoạch: 1 (plan created)" in imported.out and "thêm nhiệm vụ: 30 (tasks created)" in imported.out


def test_json_gives_the_draft_as_data(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("plan", "draft", f"{SEED}.pdf", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert (data["number"], data["issued_on"], data["issuing_body"]) == (
        "46/KH-UBND",
        "2023-03-14",
        "Ủy ban nhân dân tỉnh Tuyên Quang",
    )
    assert data["title"].startswith("Thực hiện công tác dân vận") and data["signer"] == "Hoàng Việt Phương"
    assert len(data["tasks"]) == 30 and [s["code"] for s in data["series"]] == ["thang", "6thang", "nam", "dotxuat"]
    assert data["unmatched"] == [] and data["loads"] is True
    assert any("tháng 4" in p for p in data["problems"])  # the first monthly report it chose, said


def test_a_partial_text_still_drafts_and_says_what_is_missing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed = Path(f"{SEED}.txt").read_text(encoding="utf-8")
    partial = tmp_path / "46-dau.txt"
    partial.write_text(seed[: seed.index("II. NỘI DUNG")], encoding="utf-8")  # a site's free preview
    result = cli("plan", "draft", str(partial), "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert (data["number"], data["issued_on"]) == ("46/KH-UBND", "2023-03-14")
    assert data["tasks"] == [] and data["loads"] is False
    assert any("người ký" in p for p in data["problems"]) and any("nhiệm vụ" in p for p in data["problems"])


def _pdf(pages: int, text: bool = True, password: str | None = None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=password, invariant=1)
    for n in range(pages):
        if text:
            c.drawString(72, 720, f"Page {n + 1}: Ke hoach so 46/KH-UBND")
        else:  # a scan: a picture of text, here a grey block, and no characters
            c.setFillGray(0.5)
            c.rect(72, 400, 400, 300, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


def _empty_docx() -> bytes:
    from docx import Document

    buf = io.BytesIO()
    Document().save(buf)
    return buf.getvalue()


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "trong.docx": (lambda: _empty_docx(), "không có chữ"),
    "hong.docx": (lambda: Path(f"{SEED}.docx").read_bytes()[:20000], "bị hỏng"),
    "khoa.pdf": (lambda: _pdf(1, password="mat-khau"), "mật khẩu"),
    "dai.pdf": (lambda: _pdf(500), "500 trang"),
    "scan.pdf": (lambda: _pdf(2, text=False), "bản quét"),
    "rac.pdf": (lambda: random.Random(21).randbytes(50_000), "không phải PDF"),
    "lon.txt": (lambda: b"So: 46/KH-UBND\n" * 1_400_000, "quá giới hạn 10 MB"),
    "cu.doc": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000), ".doc"),
    "tcvn3.txt": (
        lambda: "ñy ban nh©n d©n tØnh tuyªn quang céng hoµ x· héi chñ nghÜa viÖt nam ".encode() * 20,
        "TCVN3",
    ),
    "loi-chao.txt": (lambda: "Xin chào, đây là thư mời họp.".encode(), "không tìm thấy"),
    "bang.xlsx": (
        lambda: Path(f"{SEED}.docx").read_bytes().replace(b"word/document.xml", b"word/xocument.xml"),
        "Word",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_hostile_input_is_refused_in_one_line_and_writes_nothing(  # type: ignore[no-untyped-def]
    cli, database: Database, tmp_path: Path, name: str
) -> None:
    make, said = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(make())
    out = tmp_path / "draft.toml"
    result = cli("plan", "draft", str(path), "--out", str(out))
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err + result.out
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Lỗi (error):"), result.err  # one line, never wrapped at 80
    assert said in result.err, result.err
    assert not out.exists() and not list(tmp_path.glob(".draft-*"))
    assert await _plans(database) == 0


def test_a_missing_file_is_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("plan", "draft", str(tmp_path / "khong-co.docx"))
    assert result.code == 2 and "không tìm thấy" in result.err


def test_stdout_is_the_plan_file_when_no_out(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("plan", "draft", f"{SEED}.html")
    assert result.code == 0, result.err
    assert '[plan]\n# “Số: 46/KH-UBND”\nnumber = "46/KH-UBND"' in result.out
    json.dumps(result.out)  # text, nothing binary
