"""Vietnamese text as documents carry it: Unicode forms, legacy encodings, folding for comparison, and the
capitalisation of the names and titles that headers print in capitals."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter

# Letters the legacy 8-bit font encodings put where Unicode text never has them. TCVN3 (ABC, the .VnTime fonts)
# writes "Céng hoµ x· héi chñ nghÜa ViÖt Nam": "µ" for "à", "¸" for "á", "®" for "đ"…; VNI (the VNI-Times fonts)
# writes "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam": a vowel, then "ä", "ø", "õ", "û"… for its marks, "ñ" for "đ".
TCVN3_MARKS = frozenset("µ¸¶·¹¨»¾¼½Æ©ÇË®ÎÏÑªÖ«×ØÜÞ¬ß¦§¡¢£¤¥")
VNI_PAIR = re.compile(r"[aeiouyAEIOUY][øùûõïäëöüòóôñ]|ñ|ö[ôùøûõï]")
UPPER_WORD = re.compile(r"[^\W\d_]{2,}")


# Control characters a document may carry (DEL, C0 but tab and line breaks, C1): never text, and TOML refuses them
# (issue 28, finding 11).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def nfc(text: str) -> str:
    """NFC, without control characters."""
    return CONTROL.sub("", unicodedata.normalize("NFC", text))


# Emphasis a site's Markdown leaves in copied text ("**Ủy ban nhân dân**", "*Căn cứ …*"): marks, never words.
STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")
EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")


def unmarked(text: str) -> str:
    """The text without Markdown emphasis: "**KẾ HOẠCH**" → "KẾ HOẠCH" (a lone "*", a bullet, is kept)."""
    if "*" not in text and "__" not in text:
        return text
    return EMPHASIS.sub(r"\1", STRONG.sub(lambda m: m.group(1) or m.group(2), text))


def legacy_encoding(text: str) -> str | None:
    """ "TCVN3 (ABC)" or "VNI" when ``text`` reads as one of the legacy encodings shown as Unicode, else None."""
    letters = sum(1 for c in text if c.isalpha())
    if letters < 40:
        return None
    tcvn3 = sum(1 for c in text if c in TCVN3_MARKS)
    if tcvn3 / letters > 0.02:
        return "TCVN3 (ABC)"
    if len(VNI_PAIR.findall(text)) / letters > 0.02:
        return "VNI"
    return None


def fold(text: str) -> str:
    """Lower case without diacritics ("đ" as "d"), for comparing names: "Sở Nội vụ" → "so noi vu"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def is_upper(text: str) -> bool:
    """All its letters are capitals, and it has some ("KẾ HOẠCH", "I. MỤC ĐÍCH, YÊU CẦU")."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def squeeze(text: str) -> str:
    """One space between words, none before punctuation that closes."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([,;:.)”])", r"\1", text)


def capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


def case_like(upper: str, examples: str) -> str:
    """A capitalised text in the case its words have elsewhere in the document ("TRÊN ĐỊA BÀN TỈNH TUYÊN QUANG" →
    "trên địa bàn tỉnh Tuyên Quang" when the body writes "tỉnh Tuyên Quang"): a word keeps a capital when the body
    writes it so next to the same neighbour, most often, away from the start of a sentence ("Tuyên Quang"; not
    "Chính" of "Chính phủ" for "chính quyền", nor "Tiếp" of "Luật Tiếp công dân" for "tiếp công dân"); other words
    are lower case; the first is capitalised."""
    seen: dict[tuple[str, str], Counter[tuple[str, str]]] = {}
    for line in examples.splitlines():
        ws = re.findall(r"[^\W\d_]+|[.!?:;]", line)
        for a, b in itertools.pairwise(ws):
            if a in ".!?:;" or b in ".!?:;" or (len(a) > 1 and a.isupper()) or (len(b) > 1 and b.isupper()):
                continue
            seen.setdefault((a.lower(), b.lower()), Counter())[(a, b)] += 1
    # The form the body uses most ("tiếp công dân" over "Luật Tiếp công dân"'s); a tie goes to lower case.
    pairs = {k: max(c.items(), key=lambda kv: (kv[1], kv[0] == k))[0] for k, c in seen.items()}
    words = re.findall(r"[^\W\d_]+", upper)
    lowered = [w.lower() for w in words]
    forms: list[str] = []
    for i, w in enumerate(lowered):
        after = pairs.get((w, lowered[i + 1])) if i + 1 < len(lowered) else None
        before = pairs.get((lowered[i - 1], w)) if i > 0 else None
        forms.append(after[0] if after else before[1] if before else w)
    it = iter(forms)
    return capitalise(re.sub(r"[^\W\d_]+", lambda _: next(it), upper))


# The words of a body's name that stay capitalised when a header prints it in capitals (Nghị định 30/2020,
# Phụ lục II: "Ủy ban nhân dân tỉnh Tuyên Quang", "Sở Giáo dục và Đào tạo"): the kind of body, then each part of
# its field after "và", ",", "-".
BODY_WORDS = (
    "ủy ban nhân dân",
    "hội đồng nhân dân",
    "văn phòng",
    "thanh tra",
    "sở",
    "ban",
    "bộ",
    "cục",
    "chi cục",
    "trung tâm",
    "công an",
    "bộ chỉ huy quân sự",
    "đài phát thanh và truyền hình",
    "báo",
)
LEVELS = ("tỉnh", "thành phố", "huyện", "thị xã", "quận", "xã", "phường", "thị trấn", "đặc khu")


def body_name(upper: str) -> str:
    """A body's name from a header's capitals: "ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG" → "Ủy ban nhân dân tỉnh Tuyên
    Quang", "SỞ GIÁO DỤC VÀ ĐÀO TẠO" → "Sở Giáo dục và Đào tạo"."""
    text = squeeze(upper).lower()
    for level in sorted(LEVELS, key=len, reverse=True):  # "tỉnh Tuyên Quang": the place's words capitalised
        text = re.sub(
            rf"(^|\s)(?<!và\s)({level})\s+((?:[^\W\d_]+\s*){{1,4}})$",
            lambda m: f"{m.group(1)}{m.group(2)} " + " ".join(capitalise(w) for w in m.group(3).split()),
            text,
        )
    for kind in sorted(BODY_WORDS, key=len, reverse=True):
        if text.startswith(kind + " ") or text == kind:
            rest = text[len(kind) :]
            rest = re.sub(r"(^\s+|\s+và\s+|,\s*|\s+-\s+)([^\W\d_])", lambda m: m.group(1) + m.group(2).upper(), rest)
            rest = _keep_levels(rest)
            return capitalise(kind) + rest
    return capitalise(text)


def _keep_levels(rest: str) -> str:
    """Undo a capital that the field rule gave a level word ("Sở Nội vụ Tỉnh" → "Sở Nội vụ tỉnh")."""
    for level in LEVELS:
        rest = re.sub(rf"(?<!và)(\s){capitalise(level)}(\s|$)", rf"\1{level}\2", rest)
    return rest


def roman(n: int) -> str:
    """A number in Roman numerals, as plans number their sections and Word its "upperRoman" lists."""
    out = ""
    for value, numeral in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + numeral, n - value
    return out
