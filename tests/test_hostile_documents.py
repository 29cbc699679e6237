"""Issue 28, findings 2 and 3: documents built to be expensive, and a plan file of dotted keys.

Each document of ``tests/fixtures/hostile.py`` goes through the real box (``reader.sandbox``: a child process with
its limits) with the default limits, through the dashboard's upload (over ASGI, real database) and through the
installed ``nhacviec plan draft``; each ends with a Vietnamese line or a draft, refused at its source (a page count,
a character count, a paragraph count, a bounded list counter) rather than by the box's last line; nothing is kept.
The box's own limits are shown to hold. The plan file of dotted keys is refused before it is parsed, on the CLI and
on the dashboard. How long each takes, and how /healthz answers meanwhile, is measured in
``bench/hostile_documents.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from core.planfile import PlanFileError, load_plan_bytes
from core.reading.source import Unreadable
from models import tables as t
from reader.sandbox import BoxedReader, Limits
from tests.cli_runner import ENTRY, run_cli
from tests.conftest import Database
from tests.dashboard_client import signed_in
from tests.fixtures import hostile

# What each document is refused for, or that it drafts (None): the source's own bound, never the box's limit.
EXPECTED: dict[str, str | None] = {
    "numbering-decimal.docx": None,
    "numbering-upper-roman.docx": None,
    "numbering-lower-letter.docx": None,
    "empty-paragraphs.docx": "nội dung tệp .docx quá lớn",
    "nested-text.docx": None,
    "lying-page-count.pdf": "tệp PDF có hơn 200 trang, quá giới hạn 200 trang",
    "shared-glyph-stream.pdf": "tệp PDF chứa quá nhiều chữ cho một kế hoạch",
    "thousand-items.txt": None,
}
BOX_LIMITS = ("giây", "MB bộ nhớ")  # the box's last-line refusals


def test_every_hostile_document_has_its_expectation() -> None:
    assert set(EXPECTED) == set(hostile.DOCUMENTS)


@pytest.mark.parametrize("name", sorted(hostile.DOCUMENTS))
async def test_a_hostile_document_is_bounded_at_its_source(name: str) -> None:
    data = hostile.DOCUMENTS[name]()
    expected = EXPECTED[name]
    try:
        read = await BoxedReader()(data, name, [])
    except Unreadable as exc:
        assert expected is not None, exc.message
        assert exc.message.startswith(f"{name}: {expected}"), exc.message
        assert not any(word in exc.message for word in BOX_LIMITS), exc.message
        return
    assert expected is None, f"drafted, expected the refusal {expected!r}"
    if name.startswith("numbering-"):
        # The start is bounded (999), and past it a list number is written in digits, whatever its format.
        assert "\n1000. Sở Tư pháp chủ trì" in read.draft.text and len(read.draft.text) < 1000, read.draft.text
    if name == "thousand-items.txt":
        assert read.draft.number == "1/KH-UBND" and "việc 1000." in read.draft.text


async def test_the_box_holds_its_limits_whatever_the_document_does() -> None:
    """The last line: a box out of time is ended, a box out of memory answers a refusal; the service goes on."""
    text = hostile.thousand_items(10)
    with pytest.raises(Unreadable, match=r"đọc tệp quá 0\.001 giây"):
        await BoxedReader(Limits(seconds=0.001))(text, "x.txt", [])
    with pytest.raises(Unreadable, match="đọc tệp cần quá 32 MB bộ nhớ"):
        await BoxedReader(Limits(memory_mb=32))(text, "x.txt", [])
    read = await BoxedReader()(text, "x.txt", [])
    assert read.draft.number == "1/KH-UBND" and read.format == "txt"


def test_a_plan_file_of_dotted_keys_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(PlanFileError) as refused:
        load_plan_bytes(hostile.dotted_keys(), "cham.toml")
    assert refused.value.problems == ["line 1: a key of more than 3 dotted parts is not of a plan file"]
    deep = b"[plan]\nx = " + b"[" * 5000 + b"]" * 5000 + b"\n"
    with pytest.raises(PlanFileError, match="nested too deeply"):
        load_plan_bytes(deep, "sau.toml")
    inline = b'x = { a.b . c."d" = 1 }  # "\n'
    with pytest.raises(PlanFileError, match="dotted parts"):
        load_plan_bytes(inline, "x.toml")
    # The words of a plan may hold dots, brackets and equals signs.
    # So may a draft's comments: "PCVP P.T.T.Huyền" in a copied "Nơi nhận", a "#" inside a string keeps its line.
    fine = (
        '# Nơi nhận: VPUB: CVP; PCVP P.T.T.Huyền; [[[[[x]]]]]\n[plan]\nnumber = "1/KH-UBND"  # “Số: 1/KH-UBND”\n'
        'title = "a.b.c.d = [[[[[x]]]]] v.v. # x.y.z.w"\n'
    ).encode()
    with pytest.raises(PlanFileError) as other:
        load_plan_bytes(fine, "ok.toml")
    assert not any("dotted" in p or "nested" in p for p in other.value.problems), other.value.problems


@pytest.fixture
async def admin(loaded: Database) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    async with signed_in(loaded) as signed:
        yield signed.client, signed.csrf


async def _drafts(db: Database) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(t.PlanDraft)) or 0)


async def test_the_dashboard_refuses_the_hostile_files_in_a_line_and_keeps_nothing(
    loaded: Database, admin: tuple[httpx.AsyncClient, str]
) -> None:
    client, csrf = admin
    for name, expected in EXPECTED.items():
        answer = await client.post(
            "/ke-hoach/van-ban", data={"csrf": csrf}, files={"document": (name, hostile.DOCUMENTS[name]())}
        )
        if expected is not None:
            assert answer.status_code == 400 and expected in answer.text, (name, answer.status_code)
        else:  # a draft, or "nothing of a plan in it": either way an answer, never a 500
            assert answer.status_code in (303, 400), (name, answer.status_code)
    assert await _drafts(loaded) <= 4  # only the four documents that draft were kept
    dotted = await client.post(
        "/ke-hoach/kiem-tra", data={"csrf": csrf}, files={"file": ("cham.toml", hostile.dotted_keys())}
    )
    assert dotted.status_code == 400 and "dotted parts" in dotted.text


@pytest.mark.proof(seconds=15)
def test_plan_draft_on_the_cli_answers_each_in_one_line(loaded: Database, tmp_path: Path) -> None:
    if not ENTRY.exists():
        pytest.skip("the nhacviec script is not installed (run make test)")
    for name, expected in EXPECTED.items():
        path = tmp_path / name
        path.write_bytes(hostile.DOCUMENTS[name]())
        result = run_cli(["plan", "draft", str(path)], loaded.env, tmp_path)
        if expected is not None:
            assert result.code == 2 and expected in result.err, (name, result.err)
            assert "Traceback" not in result.err
        else:
            assert result.code in (0, 2) and "Traceback" not in result.err, (name, result.err)
    dotted = tmp_path / "cham.toml"
    dotted.write_bytes(hostile.dotted_keys())
    refused = run_cli(["import-plan", str(dotted)], loaded.env, tmp_path)
    assert refused.code != 0 and "dotted parts" in (refused.err + refused.out)


def test_the_box_sees_none_of_the_services_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser a document exploits runs with PATH and the like, never the tokens, keys or database address."""
    from reader.sandbox import _box_environment

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:pw@db/x")
    monkeypatch.setenv("WEB_SECRET_KEY", "k" * 40)
    seen = _box_environment()
    assert "PATH" in seen and not {"TELEGRAM_BOT_TOKEN", "DATABASE_URL", "WEB_SECRET_KEY"} & set(seen)
