"""Vietnamese alphabetical order, one key for every list that sorts names (issue 29: the dashboard's ranking put
"Bình" before "Bạch", as bytes sort them), and the order of agency kinds an office lists them in.

The alphabet of the Vietnamese dictionary (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, with f j w z
of foreign words in their Latin places): letters first, tones only to part words whose letters are the same, in the
dictionary's order of the tones (ngang, huyền, hỏi, ngã, sắc, nặng).
"""

from __future__ import annotations

import unicodedata

from core.types import Agency, AgencyKind

ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
LETTER = {letter: n for n, letter in enumerate(ALPHABET)}
SHAPES = {"\u0306": "ă", "\u0302": "^", "\u031b": "+"}  # breve, circumflex, horn: part of the letter
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng
KIND_ORDER = (AgencyKind.DEPARTMENT, AgencyKind.DISTRICT, AgencyKind.COMMUNE, AgencyKind.OTHER)


def _letters(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    letters: list[int] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFC", text).casefold():
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        tone = next((TONES[m] for m in marks if m in TONES), 0)
        shaped = base
        for m in marks:
            if m == "\u0306":
                shaped = "ă"
            elif m == "\u0302":
                shaped = {"a": "â", "e": "ê", "o": "ô"}.get(base, base)
            elif m == "\u031b":
                shaped = {"o": "ơ", "u": "ư"}.get(base, base)
        if shaped in LETTER:
            letters.append(100 + LETTER[shaped])
        elif ch.isdigit():
            letters.append(10 + int(ch))  # digits before letters, as a dictionary lists them
        elif ch.isspace():
            letters.append(1)  # a shorter word before a longer one: "An" before "Anh"
        else:
            letters.append(500 + ord(ch))
        tones.append(tone)
    return tuple(letters), tuple(tones)


def folded(text: str) -> str:
    """A name as names are compared: NFC, case-folded, runs of spacing as one space."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def sort_key(name: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The key that sorts names in Vietnamese alphabetical order: "Bạch" before "Bình", "Đà" after "Dương"."""
    return _letters(" ".join(name.split()))


def kind_rank(kind: AgencyKind) -> int:
    """Departments, then districts, then communes and wards, then the others: the order a provincial list keeps."""
    return KIND_ORDER.index(kind)


def office_order(agency: Agency) -> tuple[int, int, int]:
    """The key that lists agencies as the office does: by kind (``kind_rank``), then each kind's official order."""
    return kind_rank(agency.kind), agency.position, agency.id
