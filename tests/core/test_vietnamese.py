"""Issue 29: one key sorts names in Vietnamese alphabetical order, and agency kinds in an office's order."""

from __future__ import annotations

import random

from core.types import AgencyKind
from core.vietnamese import kind_rank, sort_key

# As a Vietnamese dictionary and a province's lists order them: letters first (a ă â b c d đ e ê …), then the tone.
ORDERED = [
    "An",
    "Anh",
    "Ân",
    "Bạch",
    "Bình",
    "Cao",
    "Dương",
    "Đà",
    "Đông",
    "Hà",
    "Hạ",
    "Lâm Bình",
    "Minh Xuân",
    "Ơn",
    "Phường 1",
    "Phường 2",
    "Uyên",
    "Ưng",
    "Yên Sơn",
]


def test_names_sort_as_a_vietnamese_dictionary_orders_them() -> None:
    shuffled = ORDERED[:]
    random.Random(29).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == ORDERED
    assert sorted(["Bình", "Bạch"]) == ["Bình", "Bạch"]  # what bytes gave, and this key does not
    assert sort_key("bạch") == sort_key("Bạch") and sort_key("Bạch  Đằng") == sort_key("Bạch Đằng")


def test_tones_part_only_words_of_the_same_letters() -> None:
    words = ["ma", "mà", "mả", "mã", "má", "mạ"]  # ngang, huyền, hỏi, ngã, sắc, nặng
    assert sorted(reversed(words), key=sort_key) == words
    assert sorted(["mạ", "mai"], key=sort_key) == ["mạ", "mai"]  # "ma" before "mai" whatever the tone


def test_departments_come_before_communes() -> None:
    kinds = [AgencyKind.COMMUNE, AgencyKind.OTHER, AgencyKind.DEPARTMENT, AgencyKind.DISTRICT]
    assert sorted(kinds, key=kind_rank) == [
        AgencyKind.DEPARTMENT,
        AgencyKind.DISTRICT,
        AgencyKind.COMMUNE,
        AgencyKind.OTHER,
    ]
