"""Plan 46 as data, and the validation of plan files (every problem named by file, entry and field)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from core.deadlines import VN_TZ
from core.planfile import PlanFileError, PlanSpec, load_plan_file, reflow
from core.types import AgencyKind, Recurrence, TaskRole
from tests.conftest import PLAN_46

DISTRICTS = {"Tuyên Quang", "Lâm Bình", "Na Hang", "Chiêm Hóa", "Hàm Yên", "Yên Sơn", "Sơn Dương"}


def test_plan_metadata(plan46: PlanSpec) -> None:
    assert plan46.number == "46/KH-UBND"
    assert plan46.issued_on.isoformat() == "2023-03-14"
    assert plan46.signer == "Hoàng Việt Phương"
    assert plan46.year == 2023


def test_the_seven_districts_and_the_named_departments(plan46: PlanSpec) -> None:
    districts = [a for a in plan46.agencies if a.kind is AgencyKind.DISTRICT]
    assert len(districts) == 7
    prefixes = ("Ủy ban nhân dân thành phố ", "Ủy ban nhân dân huyện ")
    assert {d.name.removeprefix(prefixes[0]).removeprefix(prefixes[1]) for d in districts} == DISTRICTS
    names = {a.name for a in plan46.agencies}
    for named in (
        "Sở Nội vụ",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "Sở Tư pháp",
        "Sở Tài chính",
        "Sở Lao động - Thương binh và Xã hội",
        "Sở Thông tin và Truyền thông",
        "Báo Tuyên Quang",
        "Đài Phát thanh và Truyền hình tỉnh",
        "Thanh tra tỉnh",
        "Ban Dân tộc tỉnh",
        "Bộ Chỉ huy Quân sự tỉnh",
        "Công an tỉnh",
        "Ban Dân vận Tỉnh ủy",
    ):
        assert named in names


def test_section_two_is_owed_by_every_department_and_district(plan46: PlanSpec) -> None:
    section2 = [t for t in plan46.tasks if t.ref.startswith("II.")]
    assert [t.ref for t in section2] == [f"II.{i}" for i in range(1, 12)]
    owing = {a.code for a in plan46.agencies if a.kind in (AgencyKind.DEPARTMENT, AgencyKind.DISTRICT)}
    for t in section2:
        assert {c for c, r in t.assignments if r is TaskRole.CARRY_OUT} == owing  # "thực hiện", no lead
        assert not [c for c, r in t.assignments if r is not TaskRole.CARRY_OUT]


def test_inspectorate_duties(plan46: PlanSpec) -> None:
    own = [t for t in plan46.tasks if t.ref == "III.7"]
    assert [t.paragraph for t in own] == [1, 2]
    joined = " ".join(t.text for t in own)
    for phrase in ("tiếp công dân", "khiếu nại, tố cáo", "phòng, chống tham nhũng"):
        assert phrase in joined
    # "Chủ trì, phối hợp với các cơ quan…" in the first paragraph; the second is Thanh tra's own duty.
    assert ("TTRA", TaskRole.LEAD) in own[0].assignments and ("TTRA", TaskRole.CARRY_OUT) in own[1].assignments


def test_refs_are_the_plans_own_and_lead_only_where_it_says_chu_tri(plan46: PlanSpec) -> None:
    assert all(re.fullmatch(r"(II|III)\.\d+", t.ref) for t in plan46.tasks)
    leads = {t.ref for t in plan46.tasks if any(r is TaskRole.LEAD for _, r in t.assignments)}
    assert leads == {"III.2", "III.6", "III.7", "III.8"}
    iii2 = next(t for t in plan46.tasks if t.ref == "III.2")
    assert iii2.assignments == (("VPUBND", TaskRole.LEAD),)  # "hướng dẫn", not "phối hợp": nobody coordinates


def test_lead_is_never_also_coordinating(plan46: PlanSpec) -> None:
    for t in plan46.tasks:
        codes = [c for c, _ in t.assignments]
        assert len(codes) == len(set(codes)), t.ref


def test_report_series_and_periods(plan46: PlanSpec) -> None:
    by_code = {s.code: s for s in plan46.series}
    monthly = by_code["thang"]
    assert monthly.recurrence is Recurrence.MONTHLY
    assert monthly.wording == "chậm nhất trong ngày 15 hàng tháng"
    assert [p.label for p in monthly.periods] == [f"Báo cáo tháng {m}/2023" for m in range(4, 13)]
    assert monthly.periods[0].due_at == datetime(2023, 4, 15, 23, 59, 59, tzinfo=VN_TZ)
    assert by_code["6thang"].periods[0].due_at == datetime(2023, 5, 24, 23, 59, 59, tzinfo=VN_TZ)
    assert by_code["nam"].periods[0].due_at == datetime(2023, 11, 24, 23, 59, 59, tzinfo=VN_TZ)
    assert by_code["dotxuat"].periods == ()
    assert all(s.receiver == "UBND-TINH" and s.via == "SNV" for s in plan46.series)
    assert all(s.receiver_wording == "Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp)" for s in plan46.series)
    # III.10: "Các sở, ban, ngành; Ủy ban nhân dân huyện, thành phố": 17 departments, Ban Dân tộc, 7 districts
    # less Sở Nội vụ, who compiles the reports (issue 23).
    assert "CAT" not in monthly.owed_by and "BCHQS" not in monthly.owed_by and "SYT" in monthly.owed_by
    assert "BAOTQ" not in monthly.owed_by and "BDVTU" not in monthly.owed_by
    assert len(monthly.owed_by) == 24 and "SNV" not in monthly.owed_by  # Sở Nội vụ compiles it (via)


def test_reflow_joins_wrapped_lines_and_keeps_paragraphs() -> None:
    assert reflow("  một\n  hai\n\n ba  ") == "một hai\nba"


# ----------------------------------------------------------------- bad files

SEED = PLAN_46.read_text(encoding="utf-8")


def _bad(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    assert old in SEED, old
    path = tmp_path / "bad.toml"
    path.write_text(SEED.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'lead = ["TTRA"]\ncoordinate',
            'lead = ["THANHTRA"]\ncoordinate',
            ["tasks[", "(ref 'III.7', paragraph 1)", "field 'lead'", "unknown agency code 'THANHTRA'"],
        ),
        ('ref = "III.4"', 'ref = "III.3"', ["(ref 'III.3')", "field 'ref'", "duplicate task ref"]),
        ("issued_on = 2023-03-14", 'issued_on = "14/3/2023"', ["[plan]", "field 'issued_on'"]),
        ("issued_on = 2023-03-14", "issued_on = 2023-02-30", ["not valid TOML"]),
        ('signer = "Hoàng Việt Phương"\n', "", ["[plan]", "field 'signer'", "Field required"]),
        (
            'code = "STC"\nname = "Sở Tài chính"\n',
            'code = "STC"\n',
            ["agencies[4]", "(code 'STC')", "field 'name'"],
        ),
        ('code = "STP"', 'code = "SNV"', ["(code 'SNV')", "field 'code'", "duplicate agency code"]),
        (
            'wording = "trước ngày 25/5/2023"',
            'wording = "trước ngày 30/2/2023"',
            ["series[1]", "(code '6thang')", "field 'wording'"],
        ),
        (
            'wording = "chậm nhất trong ngày 15 hàng tháng"',
            'wording = "trước ngày 25/5/2023"',
            ["(code 'thang')", "monthly"],
        ),
        ('receiver = "UBND-TINH"', 'receiver = "SNN"', ["series[0]", "field 'receiver'", "'SNN'"]),
        ('via = "SNV"', 'via = "SNN"', ["series[0]", "field 'via'", "'SNN'"]),
        ('ref = "III.3"', 'ref = "III.3a"', ["(ref 'III.3a')", "field 'ref'"]),
        ('kind = "district"', 'kind = "huyen"', ["agencies[18]", "field 'kind'"]),
        ('recurrence = "annual"', 'recurrence = "yearly"', ["(code 'nam')", "field 'recurrence'"]),
        ('code = "BDT"', 'code = "bdt"', ["field 'code'", "capital letters"]),
        ("[plan]", "[plan]\ncolour = 'red'", ["[plan]", "field 'colour'", "Extra inputs"]),
    ],
)
def test_each_kind_of_bad_file_names_file_entry_and_field(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    path = _bad(tmp_path, old, new)
    with pytest.raises(PlanFileError) as info:
        load_plan_file(path)
    message = str(info.value)
    assert str(path) in message
    for part in expected:
        assert part in message, (part, message)


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="cannot read"):
        load_plan_file(tmp_path / "none.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes("[plan]\ntitle = 'Kế hoạch'".encode("utf-16"))
    with pytest.raises(PlanFileError, match="not UTF-8"):
        load_plan_file(latin)


def test_all_problems_are_listed_at_once(tmp_path: Path) -> None:
    path = _bad(tmp_path, 'receiver = "UBND-TINH"', 'receiver = "X1"', count=2)
    with pytest.raises(PlanFileError) as info:
        load_plan_file(path)
    assert len(info.value.problems) == 2


# ----------------------------------------------------------------- hostile and careless files (issue 12, finding 7)


def test_a_file_saved_with_a_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SEED.encode("utf-8"))
    assert load_plan_file(path).number == "46/KH-UBND"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
        (SEED.replace('wording = "trước ngày 25/5/2023"', 'wording = "trước ngày 1/1/0001"'), "ngoài 2000–2100"),
        (SEED.replace('ref = "III.3"', 'ref = "II.٣"'), "field 'ref'"),
        (SEED.replace('title = "Thẩm định', 'title = "' + "x" * 600 + "Thẩm định", 1), "at most 500 characters"),
        (SEED.replace("Thẩm định, tham mưu với cấp", "Thẩm định " * 3000 + "tham mưu với cấp", 1), "at most 20000"),
    ],
)
def test_hostile_files_are_refused_with_a_clear_message(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        load_plan_file(path)
    assert message in str(info.value), str(info.value)[:500]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as fh:
        fh.truncate(58_000_000)  # sparse: the size is what matters
    with pytest.raises(PlanFileError, match="at most 2,000,000"):
        load_plan_file(path)
