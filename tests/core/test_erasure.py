"""The erased name as a whole name, in any case, Unicode form or spacing; and when it may be looked for at all."""

from __future__ import annotations

import unicodedata

import pytest

from core import erasure

PLACEHOLDER = "Cán bộ đầu mối (đã xóa)"
AN = erasure.pattern("Nguyễn Văn An")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đồng chí Nguyễn Văn An gửi.", f"Đồng chí {PLACEHOLDER} gửi."),
        ("ĐỒNG CHÍ NGUYỄN VĂN AN", f"ĐỒNG CHÍ {PLACEHOLDER}"),
        ("đồng chí Nguyễn  Văn\nAn.", f"đồng chí {PLACEHOLDER}."),
        (unicodedata.normalize("NFD", "Nguyễn Văn An,"), f"{PLACEHOLDER},"),
        ("Nguyễn Văn Anh", None),
        ("Trần Nguyễn Văn Anh và Nguyễn Văn An", f"Trần Nguyễn Văn Anh và {PLACEHOLDER}"),
        ("", None),
    ],
)
def test_the_name_is_found_whole_in_any_form(text: str, expected: str | None) -> None:
    assert erasure.replaced_text(text, AN, PLACEHOLDER) == expected


def test_json_values_keys_included_and_untouched_values_report_none() -> None:
    value = {"who": ["x", {"Nguyễn Văn An": 1}], "n": 2}
    assert erasure.replaced_value(value, AN, "X") == {"who": ["x", {"X": 1}], "n": 2}
    assert erasure.replaced_value({"who": "Nguyễn Văn Anh", "n": [1, None]}, AN, "X") is None


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("Nguyễn Văn An", True),
        ("An", False),  # one word
        ("Minh Xuân", False),  # part of "Ủy ban nhân dân phường Minh Xuân"
        ("minh  XUÂN", False),
        ("Sở Tư pháp", False),
        ("Ủy ban nhân dân", False),
        ("Lê Văn Bình", False),  # another person bears it
        ("Văn Bình", False),
    ],
)
def test_a_name_that_is_the_registrys_or_anothers_word_is_not_looked_for(name: str, ok: bool) -> None:
    protected = ["Ủy ban nhân dân phường Minh Xuân", "Sở Tư pháp", "Lê Văn Bình", "Ủy ban nhân dân tỉnh Tuyên Quang"]
    assert erasure.searchable(name, protected) is ok
