"""The wording rules of the plan reader, each on the words that call for it: headers as legal-database sites show
them (cells one per line, between "|", run together, split across lines), a number never taken from a cited
document, names with the abbreviations and groups provincial plans use, the short names a plan defines, roles from
the words, reporting clauses in both orders, and text in legacy encodings."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from datetime import date

import pytest

from core.planfile import load_plan_bytes, load_plan_file
from core.reading.draft import draft_plan
from core.reading.layout import paragraphs
from core.reading.model import Draft
from core.reading.names import Known, Names
from core.reading.render import plan_file
from core.reading.source import Kind, Piece, Source, Unreadable
from core.types import AgencyKind
from core.usecases.drafting import Drafted, finish
from reader.text import pieces_of_text
from tests.conftest import ROOT

SEED = (ROOT / "tests" / "fixtures" / "plans" / "46-KH-UBND-2023.txt").read_text(encoding="utf-8")
REGISTRY = [
    Known("SNV", "Sở Nội vụ", AgencyKind.DEPARTMENT),
    Known("STTTT", "Sở Thông tin và Truyền thông", AgencyKind.DEPARTMENT),
    Known("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", AgencyKind.DEPARTMENT),
    Known("SKHDT", "Sở Kế hoạch và Đầu tư", AgencyKind.DEPARTMENT, former=("Sở Kế hoạch",)),
    Known("VPUBND", "Văn phòng Ủy ban nhân dân tỉnh", AgencyKind.DEPARTMENT),
    Known("TTRA", "Thanh tra tỉnh", AgencyKind.DEPARTMENT),
    Known("UBND-LB", "Ủy ban nhân dân huyện Lâm Bình", AgencyKind.DISTRICT),
    Known("UBND-TINH", "Ủy ban nhân dân tỉnh Tuyên Quang", AgencyKind.OTHER),
    Known("BDVTU", "Ban Dân vận Tỉnh ủy", AgencyKind.OTHER),
]


PLAN_46 = [Known(a.code, a.name, a.kind) for a in load_plan_file(ROOT / "plans" / "46-KH-UBND-2023.toml").agencies]


def lines(text: str) -> Source:
    """Text as a site's copy gives it (``reader.text``: lines, "|" between cells)."""
    return Source("x.txt", "txt", tuple(pieces_of_text(text)))


def draft(text: str, registry: list[Known] = REGISTRY) -> Draft:
    return draft_plan(lines(text), registry)


# --------------------------------------------------------------------------------------------------- header

HEADER_FORMS = {
    "cells one per line": SEED[: SEED.index("I. MỤC ĐÍCH")],
    "run together": "ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc "
    "Số: 46/KH-UBND Tuyên Quang, ngày 14 tháng 3 năm 2023\nKẾ HOẠCH\nThực hiện công tác dân vận chính quyền năm "
    "2023 trên địa bàn tỉnh Tuyên Quang\nCăn cứ Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ;",
    "a table row of cells": "| ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n"
    "| Số: 46 /KH-UBND | Tuyên Quang, ngày 14 tháng 3 năm 2023 |\nKẾ HOẠCH\n"
    "THỰC HIỆN CÔNG TÁC DÂN VẬN CHÍNH QUYỀN NĂM 2023\nTRÊN ĐỊA BÀN TỈNH TUYÊN QUANG\n"
    "Căn cứ Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ về tiếp tục tăng cường công tác dân vận "
    "trên địa bàn tỉnh Tuyên Quang;",
    "a site's menu first": "Trang chủ | Văn bản | Liên hệ\nTìm kiếm văn bản\nKế hoạch 46/KH-UBND năm 2023 (xem 1.204)\n"
    + SEED[: SEED.index("II. NỘI DUNG")],
}


@pytest.mark.parametrize("form", list(HEADER_FORMS))
def test_a_partial_text_gives_number_date_issuer_and_title(form: str) -> None:
    d = draft(HEADER_FORMS[form])
    assert d.number == "46/KH-UBND"
    assert d.issued_on == date(2023, 3, 14)
    assert d.issuing_body == "Ủy ban nhân dân tỉnh Tuyên Quang"
    assert d.title == "Thực hiện công tác dân vận chính quyền năm 2023 trên địa bàn tỉnh Tuyên Quang"
    assert d.year == 2023
    # What a partial text cannot give is said, not invented:
    assert not d.tasks and not d.series and not d.signer
    assert any("người ký" in p for p in d.problems) and any("nhiệm vụ" in p for p in d.problems)


def test_a_number_split_and_spaced_is_read_whole() -> None:
    d = draft(
        "ỦY BAN NHÂN DÂN\nTỈNH TUYÊN QUANG\n|\nSố: 7 /2021/QĐ-UBND\n|\nTuyên Quang, ngày\n05 tháng 4 năm 2021\n|\n"
        "QUYẾT ĐỊNH\nBan hành Quy chế phối hợp\nCăn cứ Luật Tổ chức chính quyền địa phương;"
    )
    assert d.number == "7/2021/QĐ-UBND" and d.issued_on == date(2021, 4, 5) and d.doc_type == "QUYẾT ĐỊNH"
    assert any("không phải kế hoạch" in p for p in d.problems)


def test_a_cited_documents_number_is_never_the_plans_own() -> None:
    d = draft(
        "ỦY BAN NHÂN DÂN\nTỈNH TUYÊN QUANG\n|\nSố:      /KH-UBND\n|\nTuyên Quang, ngày    tháng 3 năm 2023\n|\n"
        "KẾ HOẠCH\nThực hiện công tác dân vận chính quyền năm 2023\n"
        "Căn cứ Kế hoạch số 232/KH-UBND ngày 24/12/2022 của Ủy ban nhân dân tỉnh về cải cách hành chính;"
    )
    assert d.number == "" and d.issued_on is None  # a draft not yet numbered nor dated: not 232, not 24/12/2022
    assert any("số, ký hiệu" in p for p in d.problems) and any("ngày ban hành" in p for p in d.problems)


def test_an_issuer_under_its_parent_body() -> None:
    d = draft(
        "UBND TỈNH TUYÊN QUANG\nSỞ NỘI VỤ\n-------\n|\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n|\nSố: 12/KH-SNV\n|\n"
        "Tuyên Quang, ngày 20 tháng 01 năm 2026\n|\nKẾ HOẠCH\nTHI TUYỂN CÔNG CHỨC NĂM 2026\n"
        "Căn cứ Luật Cán bộ, công chức;\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n|\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n"
        "Trần Văn Hùng\n|"
    )
    assert d.parent_body == "Ủy ban nhân dân tỉnh Tuyên Quang" and d.issuing_body == "Sở Nội vụ tỉnh Tuyên Quang"
    assert d.signer == "Trần Văn Hùng" and d.signer_title == "Phó Giám đốc Sở Nội vụ tỉnh Tuyên Quang"
    assert d.recipients == ["Như trên", "Lưu: VT"]


def test_the_seed_as_nfd_text_reads_as_nfc() -> None:
    nfd = unicodedata.normalize("NFD", SEED)
    assert nfd != SEED
    d = draft(nfd, PLAN_46)
    assert d.number == "46/KH-UBND" and len(d.tasks) == 30 and d.text == unicodedata.normalize("NFC", d.text)


# ----------------------------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("ñy ban nh©n d©n tØnh tuyªn quang céng hoµ x· héi chñ nghÜa viÖt nam §éc lËp - Tù do - H¹nh phóc ", "TCVN3"),
        ("UÛy ban nhaân daân tænh Tuyeân Quang Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam Ñoäc laäp - Töï do ", "VNI"),
    ],
)
def test_text_in_a_legacy_encoding_is_refused_naming_it(text: str, named: str) -> None:
    with pytest.raises(Unreadable) as refused:
        draft(text * 5)
    assert named in refused.value.message and "Unicode" in refused.value.message


def test_no_text_is_refused() -> None:
    with pytest.raises(Unreadable, match="không có chữ"):
        draft_plan(Source("x.docx", "docx", (Piece("", Kind.PARA), Piece.cell_end())), REGISTRY)


# ----------------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("said", "targets"),
    [
        ("Sở TT&TT", ["STTTT"]),
        ("Sở Thông tin - Truyền thông", ["STTTT"]),
        ("sở nội vụ tỉnh tuyên quang", ["SNV"]),
        ("So Noi vu", ["SNV"]),  # without diacritics, as typed on a phone
        ("Sở LĐ-TB&XH", ["SLDTBXH"]),
        ("Sở Lao động, Thương binh và Xã hội", ["SLDTBXH"]),
        ("Sở Kế hoạch", ["SKHDT"]),  # a name it bore before
        ("VP UBND tỉnh", ["VPUBND"]),
        ("UBND tỉnh", ["UBND-TINH"]),
        ("UBND huyện Lâm Bình", ["UBND-LB"]),
        ("Các sở, ban, ngành", ["@departments"]),
        ("UBND các huyện, thành phố", ["@districts"]),
        ("Ủy ban nhân dân các xã, phường", ["@communes"]),
        ("các cơ quan, đơn vị, địa phương", ["@all"]),
        ("Thủ trưởng các sở, ban, ngành; Chủ tịch UBND cấp huyện", ["@departments", "@districts"]),
    ],
)
def test_names_as_plans_write_them(said: str, targets: list[str]) -> None:
    found, rest = Names(REGISTRY, "Tuyên Quang").leading(said)
    assert [t for m in found for t in m.targets] == targets
    assert said[rest:].strip() == ""


def test_a_name_the_registry_lacks_is_a_mention_without_targets() -> None:
    text = "Sở Ngoại vụ chủ trì, phối hợp với Sở Nội vụ"
    found, rest = Names(REGISTRY).leading(text)
    assert [(m.said, m.known) for m in found] == [("Sở Ngoại vụ", False)] and text[rest:].startswith("chủ trì")
    assert "Ban hành" not in [m.said for m in Names(REGISTRY).leading("Ban hành quy chế")[0]]


def test_a_short_name_the_plan_defines_names_the_same_agencies() -> None:
    d = draft(
        SEED[: SEED.index("II. NỘI DUNG")]
        + "II. NHIỆM VỤ\n1. Sở Nội vụ, Thanh tra tỉnh (sau đây gọi tắt là cơ quan kiểm tra) xây dựng kế hoạch kiểm "
        "tra.\n2. Cơ quan kiểm tra báo cáo kết quả về Ủy ban nhân dân tỉnh trước ngày 15/12/2023.\n"
    )
    assert [(t.ref, t.carry_out) for t in d.tasks] == [("II.1", ["SNV", "TTRA"]), ("II.2", ["SNV", "TTRA"])]
    assert [(s.recurrence, s.owed_by, s.receiver) for s in d.series] == [("annual", ["SNV", "TTRA"], "UBND-TINH")]


# ----------------------------------------------------------------------------------------------------- roles


def test_roles_from_the_words() -> None:
    d = draft(
        SEED[: SEED.index("II. NỘI DUNG")]
        + "III. TỔ CHỨC THỰC HIỆN\n1. Sở Nội vụ\nChủ trì, phối hợp với Thanh tra tỉnh kiểm tra việc thực hiện.\n"
        "Phối hợp với các cơ quan liên quan tổng hợp kết quả.\n"
        "2. Đề nghị Ban Dân vận Tỉnh ủy\nPhối hợp tuyên truyền.\n"
        "3. Cơ quan chủ trì: Văn phòng Ủy ban nhân dân tỉnh; cơ quan phối hợp: các sở, ban, ngành.\n"
        "4. Xây dựng Chính quyền số: Sở Thông tin và Truyền thông chủ trì, phối hợp với Sở Nội vụ triển khai.\n"
        "5. Sở Ngoại vụ chủ trì, phối hợp với Sở Nội vụ tổ chức đón đoàn.\n"
    )
    roles = {(t.ref, t.paragraph): (t.lead, t.coordinate, t.carry_out, t.requested) for t in d.tasks}
    assert roles == {
        ("III.1", 1): (["SNV"], ["TTRA"], [], False),
        ("III.1", 2): ([], [], ["SNV"], False),  # "Phối hợp với …": still Sở Nội vụ's to carry out
        ("III.2", 0): ([], [], ["BDVTU"], True),
        ("III.3", 0): (["VPUBND"], ["@departments"], [], False),
        ("III.4", 0): (["STTTT"], ["SNV"], [], False),
        ("III.5", 0): (["SNGV"], ["SNV"], [], False),  # a new agency, with a code of its own ("SNV" is taken)
    }
    assert [(u.said, u.code) for u in d.unmatched] == [("Sở Ngoại vụ", "SNGV")]
    assert next(a for a in d.agencies if a.code == "SNGV").kind == "department"
    assert d.tasks[2].title.startswith("(Đề nghị) ")


def test_an_item_that_names_no_one_is_said() -> None:
    d = draft(SEED[: SEED.index("II. NỘI DUNG")] + "II. NHIỆM VỤ\n1. Tăng cường kỷ luật, kỷ cương hành chính.\n")
    assert not d.tasks and any("II.1" in p and "không nêu cơ quan" in p for p in d.problems)


# --------------------------------------------------------------------------------------------------- reports


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        (
            "chậm nhất trong ngày 15 hàng tháng đối với báo cáo tháng, trước ngày 25/11/2023 đối với báo cáo năm",
            [("monthly", "chậm nhất trong ngày 15 hàng tháng"), ("annual", "trước ngày 25/11/2023")],
        ),
        (
            "Báo cáo quý gửi trước ngày 05 tháng cuối cùng của mỗi quý; báo cáo 9 tháng trước ngày 15/9/2023",
            [
                ("quarterly", "Báo cáo quý gửi trước ngày 05 tháng cuối cùng của mỗi quý"),
                ("nine_months", "báo cáo 9 tháng trước ngày 15/9/2023"),
            ],
        ),
        (
            "báo cáo 6 tháng (trước ngày 20/6/2023) và báo cáo năm (trước ngày 20/11/2023)",
            [("semi_annual", "trước ngày 20/6/2023"), ("annual", "trước ngày 20/11/2023")],
        ),
    ],
)
def test_reporting_clauses_in_either_order(clause: str, expected: list[tuple[str, str]]) -> None:
    d = draft(
        SEED[: SEED.index("II. NỘI DUNG")]
        + f"III. TỔ CHỨC THỰC HIỆN\n1. Các sở, ban, ngành báo cáo kết quả về Ủy ban nhân dân tỉnh (qua Sở Nội vụ "
        f"tổng hợp): {clause}.\n"
    )
    assert [(s.recurrence, s.wording) for s in d.series] == expected
    assert all(s.owed_by == ["@departments"] and (s.receiver, s.via) == ("UBND-TINH", "SNV") for s in d.series)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # the regime after the day, the receiver after the verb, the compiler after "thông qua"
            "Các sở, ban, ngành báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện thông qua Sở Nội vụ trước ngày 20 "
            "hằng tháng.",
            [("monthly", "trước ngày 20 hằng tháng")],
        ),
        (  # "báo cáo UBND tỉnh (qua Sở X)": the province receives, Sở X compiles
            "Các sở, ban, ngành định kỳ báo cáo Ủy ban nhân dân tỉnh (qua Sở Nội vụ) kết quả thực hiện trước ngày "
            "30 tháng 11 hằng năm.",
            [("annual", "trước ngày 30 tháng 11 hằng năm")],
        ),
        (  # "gửi Sở X để tổng hợp, báo cáo UBND tỉnh": the same, said the other way
            "Các sở, ban, ngành gửi báo cáo về Sở Nội vụ để tổng hợp, báo cáo Ủy ban nhân dân tỉnh trước ngày "
            "10/12 hằng năm.",
            [("annual", "trước ngày 10/12 hằng năm")],
        ),
        (  # a dated regime beside an ad-hoc one in the same sentence: both kept
            "Các sở, ban, ngành định kỳ báo cáo Ủy ban nhân dân tỉnh (qua Sở Nội vụ) trước ngày 15/11 hằng năm và "
            "báo cáo đột xuất khi có yêu cầu.",
            [("annual", "trước ngày 15/11 hằng năm"), ("ad_hoc", "đột xuất khi có yêu cầu")],
        ),
        (  # two days of the year for one yearly regime: the 6-month report's and the annual one's
            "Các sở, ban, ngành báo cáo Ủy ban nhân dân tỉnh (qua Sở Nội vụ) trước ngày 01/6 và 15/11 hằng năm "
            "(hoặc đột xuất khi có yêu cầu).",
            [
                ("semi_annual", "trước ngày 01/6 hằng năm"),
                ("annual", "trước ngày 15/11 hằng năm"),
                ("ad_hoc", "hoặc đột xuất khi có yêu cầu"),
            ],
        ),
    ],
)
def test_reporting_sentences_as_provinces_write_them(sentence: str, expected: list[tuple[str, str]]) -> None:
    """Issue 31: the day before its regime, the receiver right after "báo cáo", the compiler "qua", "thông qua" or
    "gửi … để tổng hợp"; an ad-hoc report beside a dated one (wordings in the forms of Nghị định 30/2020's plans)."""
    d = draft(SEED[: SEED.index("II. NỘI DUNG")] + f"III. TỔ CHỨC THỰC HIỆN\n1. {sentence}\n")
    assert [(s.recurrence, s.wording) for s in d.series] == expected
    assert all(s.owed_by == ["@departments"] and (s.receiver, s.via) == ("UBND-TINH", "SNV") for s in d.series)


def test_a_deadline_that_does_not_suit_its_regime_is_said_not_guessed() -> None:
    d = draft(
        SEED[: SEED.index("II. NỘI DUNG")]
        + "III. TỔ CHỨC THỰC HIỆN\n1. Các sở, ban, ngành gửi báo cáo quý trước ngày 25/11/2023.\n"
    )
    assert not d.series and any("không hợp với báo cáo quý" in p for p in d.problems)


def test_the_seed_draft_is_a_plan_file_with_its_sources_quoted() -> None:
    drafted = finish(draft(SEED, PLAN_46))
    assert drafted.loads
    toml = drafted.plan_file
    assert "# “Số: 46/KH-UBND”" in toml and "# “Tuyên Quang, ngày 14 tháng 3 năm 2023”" in toml
    assert "first_month = 4" in toml and "Kỳ đầu tiên là tháng 4" in toml  # the March report is not owed
    spec = load_plan_bytes(toml.encode(), "draft")
    assert spec.number == "46/KH-UBND" and len(spec.tasks) == 30
    quote = drafted.draft.quotes["number"]
    assert drafted.draft.text[quote.start : quote.end] == "Số: 46/KH-UBND"  # the page can highlight it


def test_layout_joins_wrapped_lines_and_keeps_headings() -> None:
    paras = paragraphs(lines(SEED).pieces, Names(REGISTRY).names_only)
    texts = [p.text for p in paras]
    assert "I. MỤC ĐÍCH, YÊU CẦU" in texts and "II. NỘI DUNG THỰC HIỆN" in texts
    assert "5. Sở Lao động, Thương binh và Xã hội" in texts  # "5. Sở Lao động," + "Thương binh và Xã hội"
    assert "11. Đề nghị Ban Dân vận Tỉnh ủy" in texts
    assert any(t.startswith("10. Các sở, ban, ngành; Ủy ban nhân dân huyện, thành phố căn cứ") for t in texts)


def test_control_characters_in_a_document_leave_the_draft_valid_toml() -> None:
    """Issue 28, finding 11: a DEL or another control character in the document made the draft invalid TOML."""
    dirty = SEED.replace("Thực hiện công tác dân vận", "Thực\x7f hiện\x01 công\x1b tác\x08 dân vận", 1)
    dirty = dirty.replace("Sở Nội vụ", "Sở\x0c Nội vụ\x7f", 3)
    d = draft(dirty, PLAN_46)
    text = plan_file(d)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    tomllib.loads(text)  # raises on a control character TOML refuses
    assert "Thực hiện công tác dân vận" in d.title
    edited = draft(SEED, PLAN_46)
    edited.title = "Kế hoạch\x7f có ký tự DEL gõ vào"  # an officer's correction on the review page
    assert tomllib.loads(plan_file(edited))["plan"]["title"] == edited.title


# ------------------------------------------------------------------------- issue 31: signer, years, emphasis


def test_the_signer_is_the_signature_blocks_not_an_appendixs() -> None:
    """An appendix after the signature lists agencies in a table: "Sở Công Thương" is no signer; the name under
    "PHÓ CHỦ TỊCH" is."""
    appendix = (
        "\nPHỤ LỤC\nDANH SÁCH CƠ QUAN THỰC HIỆN\n| STT | Cơ quan |\n| 1 | Sở Công Thương |\n| 2 | Thường Xuân |\n"
    )
    d = draft(SEED + appendix, PLAN_46)
    assert d.signer == "Hoàng Việt Phương" and d.signer_title == "Phó Chủ tịch Ủy ban nhân dân tỉnh"


def test_a_plan_until_a_year_runs_from_its_issue() -> None:
    """ "… đến năm 2030" in the title of a plan issued in 2023: 2023–2030, never 2030 alone."""
    header = HEADER_FORMS["run together"].replace(
        "Thực hiện công tác dân vận chính quyền năm 2023 trên địa bàn tỉnh Tuyên Quang",
        "Phát triển hạ tầng số trên địa bàn tỉnh Tuyên Quang đến năm 2030",
    )
    d = draft(header)
    assert (d.year, d.year_to) == (2023, 2030), (d.title, d.year, d.year_to)


def test_markdown_emphasis_copied_from_a_site_is_not_read_as_text() -> None:
    marked = SEED.replace("ỦY BAN NHÂN DÂN", "**ỦY BAN NHÂN DÂN**", 1).replace("KẾ HOẠCH", "**KẾ HOẠCH**", 1)
    plain, emphasised = draft(SEED, PLAN_46), draft(marked, PLAN_46)
    assert (emphasised.number, emphasised.issuing_body, emphasised.title) == (
        plain.number,
        plain.issuing_body,
        plain.title,
    )
    assert len(emphasised.series) == len(plain.series) == 4


def test_a_quyet_dinh_that_issues_a_plan_is_read_as_the_plan() -> None:
    """Nghị định 30/2020's form of a decision that issues a plan: the decision (number, date, signature), then the
    plan attached after it. The number and date are the decision's; the title, tasks and reports the plan's."""
    text = (
        "ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Số: 1234/QĐ-UBND\nTuyên Quang, ngày 20 tháng 11 năm 2025\nQUYẾT ĐỊNH\n"
        "Về việc ban hành Kế hoạch chuyển đổi số năm 2026\nCHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;\nQUYẾT ĐỊNH:\n"
        "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch chuyển đổi số năm 2026.\n"
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.\n"
        "Nơi nhận:\n- Như Điều 2;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nHoàng Việt Phương\n"
        "KẾ HOẠCH\nChuyển đổi số năm 2026\n(Kèm theo Quyết định số 1234/QĐ-UBND ngày 20/11/2025 của Chủ tịch Ủy ban "
        "nhân dân tỉnh)\nI. MỤC ĐÍCH, YÊU CẦU\nĐẩy mạnh chuyển đổi số.\nII. TỔ CHỨC THỰC HIỆN\n"
        "1. Các sở, ban, ngành báo cáo Ủy ban nhân dân tỉnh (qua Sở Nội vụ) trước ngày 15/11 hằng năm.\n"
    )
    d = draft(text)
    assert (d.number, d.issued_on, d.title) == ("1234/QĐ-UBND", date(2025, 11, 20), "Chuyển đổi số năm 2026")
    assert d.signer == "Hoàng Việt Phương"
    assert [(s.recurrence, s.wording) for s in d.series] == [("annual", "trước ngày 15/11 hằng năm")]
    assert not any("không phải kế hoạch" in p for p in d.problems)


def test_a_tasks_block_of_agencies_with_thuc_hien() -> None:
    """ "Đơn vị chủ trì thực hiện: …. Đơn vị phối hợp: …" (the block under a task's title, as many plans write it)."""
    d = draft(
        SEED[: SEED.index("II. NỘI DUNG")]
        + "II. NHIỆM VỤ\n1. Rà soát đội ngũ cán bộ làm công tác tổng hợp\nĐơn vị chủ trì thực hiện: Sở Nội vụ. "
        "Đơn vị phối hợp thực hiện: Thanh tra tỉnh, Văn phòng Ủy ban nhân dân tỉnh.\n"
    )
    (task,) = d.tasks
    assert (task.lead, task.coordinate) == (["SNV"], ["TTRA", "VPUBND"])


# --------------------------------------------------------------------------------------------------- issue 31, more


def signed(d: Draft) -> Drafted:
    """``finish`` of a draft of a text cut before its signature, once the officer has filled in the signer."""
    d.signer = d.signer or "Hoàng Việt Phương"
    return finish(d)


# An appendix's task table as Nghị định 30/2020's plans set it ("PHỤ LỤC — DANH MỤC NHIỆM VỤ …, kèm theo Kế hoạch"):
# a group heading merged across the row, or its numeral in the number column; a row with no coordinating agency.
TABLE = [
    ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
    ["I. CÔNG TÁC TUYÊN TRUYỀN"],
    [
        "1",
        "Tổ chức tập huấn nghiệp vụ dân vận cho cán bộ.",
        "Sở Thông tin và Truyền thông",
        "Các sở, ban, ngành",
        "2026",
    ],
    ["2", "Rà soát thủ tục hành chính.", "Sở Nội vụ", "", "Thường xuyên"],
    ["II", "CẢI CÁCH HÀNH CHÍNH"],
    ["1", "Xây dựng quy chế tiếp công dân.", "Sở Ngoại vụ", "Thanh tra tỉnh; Sở Nội vụ", "Quý IV/2026"],
]
APPENDIX = "\nPHỤ LỤC\nDANH MỤC NHIỆM VỤ\n(Kèm theo Kế hoạch số 46/KH-UBND ngày 14/3/2023 của Ủy ban nhân dân tỉnh)\n"


def site_table(rows: list[list[str]]) -> str:
    """A table as a legal-database site's copy shows it: each cell followed by a "|" line, each row by one more."""
    return "|\n" + "".join("\n|\n".join(row) + "\n|\n|\n" for row in rows)


def word_table(rows: list[list[str]], width: int = 5) -> list[Piece]:
    """The same table as a .docx gives it: every row as wide as the header (merged cells empty), rows ended."""
    out = [Piece.row_end()]
    for row in rows:
        cells = row if len(row) == width else [row[0], *([""] * (width - 1))] if len(row) == 1 else [*row, "", "", ""]
        for cell in cells:
            out += [Piece(cell, Kind.PARA), Piece.cell_end()] if cell else [Piece.cell_end()]
        out.append(Piece.row_end())
    return out


@pytest.mark.parametrize("form", ["site text", "word"])
def test_an_appendix_table_gives_a_task_a_row(form: str) -> None:
    if form == "site text":
        d = draft(SEED + APPENDIX + site_table(TABLE))
    else:
        pieces = (*lines(SEED + APPENDIX).pieces, *word_table(TABLE))
        d = draft_plan(Source("x.docx", "docx", pieces), REGISTRY)
    rows = [t for t in d.tasks if t.ref.startswith("PL")]
    assert [(t.ref, t.title, t.lead, t.coordinate) for t in rows[:2]] == [
        ("PL.I.1", "Tổ chức tập huấn nghiệp vụ dân vận cho cán bộ", ["STTTT"], ["@departments"]),
        ("PL.I.2", "Rà soát thủ tục hành chính", ["SNV"], []),
    ]
    (third,) = rows[2:]
    new = next(u for u in d.unmatched if u.said == "Sở Ngoại vụ")  # listed as unknown with a proposed code
    assert (third.ref, third.lead, third.coordinate) == ("PL.II.1", [new.code], ["TTRA", "SNV"])
    assert any("Sở Ngoại vụ" in p for p in d.problems)
    drafted = signed(d)
    assert drafted.loads, [p for p in d.problems if "does not load" in p]
    assert drafted.spec is not None and {t.ref for t in drafted.spec.tasks} >= {"PL.I.1", "PL.I.2", "PL.II.1"}


def test_a_report_owed_once_by_its_completion_date() -> None:
    """A task list's "Thời hạn hoàn thành: Trước ngày …" after a duty whose verb is "báo cáo" is a report owed once;
    after any other duty it is a task's date, not a report."""
    d = draft(
        SEED[: SEED.index("II. NỘI DUNG")]
        + "II. NHIỆM VỤ CỤ THỂ\n1. Nhiệm vụ của các cơ quan\n1.1. Sở Nội vụ - cơ quan thường trực\n"
        "- Ban hành quy chế, trong đó phân công đơn vị theo dõi, báo cáo và các đơn vị phối hợp.\n"
        "Thời gian hoàn thành: Trước ngày 15/11/2023.\n"
        "- Báo cáo kết quả rà soát bằng văn bản về Văn phòng Ủy ban nhân dân tỉnh.\n"
        "Thời gian hoàn thành: Trước ngày 15/12/2023.\n"
    )
    (s,) = d.series
    assert (s.recurrence, s.wording, s.owed_by, s.receiver) == ("annual", "trước ngày 15/12/2023", ["SNV"], "VPUBND")
    assert signed(d).loads


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # no receiver named: the issuer, said
            "Các sở, ban, ngành báo cáo kết quả thực hiện trước ngày 15/11 hằng năm.",
            [("annual", "trước ngày 15/11 hằng năm", ["@departments"], "UBND-TINH", "")],
        ),
        (  # the compiler, then the issuer; what the province sends on to a ministry is its own report
            "Các sở, ban, ngành gửi báo cáo về Sở Nội vụ để tổng hợp, tham mưu Ủy ban nhân dân tỉnh báo cáo Bộ Nội "
            "vụ trước ngày 20/11 hằng năm.",
            [("annual", "trước ngày 20/11 hằng năm", ["@departments"], "UBND-TINH", "SNV")],
        ),
        (  # the issuer asks: those it asks owe the report
            "Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành định kỳ trước ngày 30 tháng 11 hàng năm báo cáo kết quả "
            "về Ủy ban nhân dân tỉnh (qua Sở Nội vụ).",
            [("annual", "trước ngày 30 tháng 11 hàng năm", ["@departments"], "UBND-TINH", "SNV")],
        ),
        (  # a second report of the same regime by another day is its own series
            "Các sở, ban, ngành báo cáo về Sở Nội vụ trước ngày 20/11 hằng năm. Sở Nội vụ tổng hợp, báo cáo Ủy "
            "ban nhân dân tỉnh trước ngày 30/11 hằng năm.",
            [
                ("annual", "trước ngày 20/11 hằng năm", ["@departments"], "SNV", ""),
                ("annual", "trước ngày 30/11 hằng năm", ["SNV"], "UBND-TINH", ""),
            ],
        ),
    ],
)
def test_who_owes_and_who_receives(sentence: str, expected: list[tuple[str, str, list[str], str, str]]) -> None:
    d = draft(SEED[: SEED.index("II. NỘI DUNG")] + f"III. TỔ CHỨC THỰC HIỆN\n1. {sentence}\n")
    assert [(s.recurrence, s.wording, s.owed_by, s.receiver, s.via) for s in d.series] == expected
    assert len({s.code for s in d.series}) == len(d.series) and signed(d).loads


def test_an_issuer_the_registry_lacks_is_read_as_a_new_agency() -> None:
    """Without the province's People's Committee in the registry, "báo cáo UBND tỉnh" still names it: a new agency
    with a proposed code, listed for the officer; the draft loads."""
    registry = [k for k in REGISTRY if k.code != "UBND-TINH"]
    d = draft(
        SEED[: SEED.index("II. NỘI DUNG")]
        + "III. TỔ CHỨC THỰC HIỆN\n1. Các sở, ban, ngành báo cáo UBND tỉnh (qua Sở Nội vụ) trước ngày 15/11 hằng "
        "năm.\n",
        registry,
    )
    (s,) = d.series
    issuer = next(a for a in d.agencies if a.name == "Ủy ban nhân dân tỉnh Tuyên Quang")
    assert not issuer.known and (s.receiver, s.via) == (issuer.code, "SNV")
    assert any("Ủy ban nhân dân tỉnh Tuyên Quang" in p and issuer.code in p for p in d.problems)
    assert signed(d).loads


def test_sections_numbered_twice_keep_their_tasks_apart() -> None:
    twice = (
        SEED[: SEED.index("II. NỘI DUNG")]
        + "IV. PHÂN CÔNG NHIỆM VỤ\n1. Sở Nội vụ\na) Tham mưu tổ chức thực hiện Kế hoạch.\nb) Kiểm tra việc thực hiện.\n"
        "IV. TỔ CHỨC THỰC HIỆN\n1. Thanh tra tỉnh thanh tra việc thực hiện Kế hoạch.\n"
    )
    d = draft(twice)
    assert sorted({t.ref for t in d.tasks}) == ["IV.1", "V.1"]
    assert any("hai mục IV" in p for p in d.problems) and signed(d).loads
    # Only the second assigns tasks: its refs stay as written.
    once = draft(
        twice.replace(
            "1. Sở Nội vụ\na) Tham mưu tổ chức thực hiện Kế hoạch.\nb) Kiểm tra việc thực hiện.\n",
            "Kinh phí theo quy định.\n",
        )
    )
    assert {t.ref for t in once.tasks} == {"IV.1"}


def test_a_task_no_one_is_named_for_stays_in_the_file_as_comments() -> None:
    """A task left with no agency (as an officer may leave it) is kept in the file, commented out, and the rest
    loads."""
    d = draft(
        SEED[: SEED.index("II. NỘI DUNG")]
        + "II. NHIỆM VỤ\n1. Sở Nội vụ tham mưu thực hiện.\n2. Thanh tra tỉnh kiểm tra việc thực hiện.\n"
    )
    assert [t.ref for t in d.tasks] == ["II.1", "II.2"]
    d.tasks[1].lead, d.tasks[1].coordinate, d.tasks[1].carry_out = [], [], []
    drafted = signed(d)
    assert drafted.loads and '# ref = "II.2"' in drafted.plan_file and '\nref = "II.1"' in drafted.plan_file
    assert drafted.spec is not None and [t.ref for t in drafted.spec.tasks] == ["II.1"]


def test_a_plan_runs_to_its_own_targets_within_five_years() -> None:
    body = SEED[: SEED.index("II. NỘI DUNG")].replace(
        "THỰC HIỆN CÔNG TÁC DÂN VẬN CHÍNH QUYỀN NĂM 2023 TRÊN ĐỊA BÀN\nTỈNH TUYÊN QUANG", "CHUYỂN ĐỔI SỐ DOANH NGHIỆP"
    )
    d = draft(
        body + "II. MỤC TIÊU\na) Đến hết năm 2025: 30% doanh nghiệp.\nb) Đến hết năm 2028: 60%.\n"
        "c) Đến năm 2040: 90%.\n"
    )
    assert (d.year, d.year_to) == (2023, 2028)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Các sở, ban, ngành báo cáo Ủy ban nhân dân tỉnh (qua Sở Nội vụ) trước 19h00 hằng ngày và đột xuất khi "
            "cần thiết.",
            [("daily", "trước 19h00 hằng ngày", ""), ("ad_hoc", "đột xuất khi cần thiết", "")],
        ),
        (
            "Các sở, ban, ngành báo cáo Ủy ban nhân dân tỉnh (qua Sở Nội vụ) trước 15h00 thứ Năm hằng tuần.",
            [("weekly", "trước 15h00 thứ Năm hằng tuần", "")],
        ),
        (  # twice a day, the regime said before the hours: two daily reports, each labelled by its hour
            "Các sở, ban, ngành báo cáo 2 lần mỗi ngày (trước 8h00 và 17h00) về Ủy ban nhân dân tỉnh (qua Sở Nội vụ).",
            [
                ("daily", "trước 8h00 hằng ngày", ""),
                ("daily", "trước 17h00 hằng ngày", "Báo cáo 17h00 ngày {day}/{month}/{year}"),
            ],
        ),
    ],
)
def test_daily_and_weekly_reports_read_from_a_sentence(sentence: str, expected: list[tuple[str, str, str]]) -> None:
    d = draft(SEED[: SEED.index("II. NỘI DUNG")] + f"III. TỔ CHỨC THỰC HIỆN\n1. {sentence}\n")
    assert [(s.recurrence, s.wording, s.label) for s in d.series] == expected
    assert all((s.owed_by, s.receiver, s.via) == (["@departments"], "UBND-TINH", "SNV") for s in d.series)
    drafted = signed(d)
    assert drafted.loads and drafted.spec is not None, [p for p in d.problems if "does not load" in p]
    dated = [s for s in drafted.spec.series if s.periods]
    assert dated and all(p.due_at.hour in (7, 14, 16, 18) for s in dated for p in s.periods[:3])


def test_who_owes_named_by_a_role_or_described_as_a_class() -> None:
    """ "Cơ quan thường trực Ban Chỉ đạo …" is one body, named by its role: a new agency with a proposed code, for
    the officer to map. "Đơn vị được giao …" is a class of bodies: left for the officer to name, said."""
    head = SEED[: SEED.index("II. NỘI DUNG")] + "III. TỔ CHỨC THỰC HIỆN\n"
    standing = draft(
        head + "1. Cơ quan thường trực Ban Chỉ đạo cải cách hành chính tỉnh, báo cáo Ủy ban nhân dân tỉnh trước "
        "ngày 20 hằng tháng.\n"
    )
    (s,) = standing.series
    body = next(a for a in standing.agencies if a.name == "Cơ quan thường trực Ban Chỉ đạo cải cách hành chính tỉnh")
    assert s.owed_by == [body.code] and not body.known and signed(standing).loads
    described = draft(head + "1. Đơn vị được giao nhiệm vụ báo cáo Ủy ban nhân dân tỉnh trước ngày 20 hằng tháng.\n")
    (s,) = described.series
    assert s.owed_by == [] and any("được nêu bằng mô tả" in p for p in described.problems)


def test_rows_numbered_twice_or_whole_and_in_parts_keep_references_of_their_own() -> None:
    rows = [
        TABLE[0],
        ["1", "Rà soát quy chế làm việc.", "Sở Nội vụ", "", "2026"],
        ["1.1", "Rà soát quy chế tiếp công dân.", "Thanh tra tỉnh", "", "2026"],
        ["1", "Tổng kết công tác dân vận.", "Sở Nội vụ", "", "2026"],
    ]
    d = draft(SEED + APPENDIX + site_table(rows))
    refs = [(t.ref, t.paragraph) for t in d.tasks if t.ref.startswith("PL")]
    assert refs == [("PL.1", 0), ("PL2.1", 1), ("PL3.1", 0)], refs
    assert signed(d).loads
