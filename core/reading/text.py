"""Vietnamese text as documents carry it: Unicode forms, legacy encodings, folding for comparison, and the
capitalisation of the names and titles that headers print in capitals."""

from __future__ import annotations

import re
import unicodedata

# Letters the legacy 8-bit font encodings put where Unicode text never has them. TCVN3 (ABC, the .VnTime fonts)
# writes "Céng hoµ x· héi chñ nghÜa ViÖt Nam": "µ" for "à", "¸" for "á", "®" for "đ"…; VNI (the VNI-Times fonts)
# writes "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam": a vowel, then "ä", "ø", "õ", "û"… for its marks, "ñ" for "đ".
TCVN3_MARKS = frozenset("µ¸¶·¹¨»¾¼½Æ©ÇË®ÎÏÑªÖ«×ØÜÞ¬ß¦§¡¢£¤¥")
VNI_PAIR = re.compile(r"[aeiouyAEIOUY][øùûõïäëöüòóôñ]|ñ|ö[ôùøûõï]")
UPPER_WORD = re.compile(r"[^\W\d_]{2,}")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


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
    "trên địa bàn tỉnh Tuyên Quang" when the body writes "tỉnh Tuyên Quang"): each word takes its most frequent
    form in ``examples`` away from the start of a sentence, lower case when it has none; the first is capitalised.
    """
    seen: dict[str, dict[str, int]] = {}
    for m in re.finditer(r"(?<![.!?:]\s)(?<!^)\b([^\W\d_]+)", examples, re.MULTILINE):
        word = m.group(1)
        if len(word) > 1 and word.isupper():
            continue  # a header's capitals say nothing of a word's case
        forms = seen.setdefault(word.lower(), {})
        forms[word] = forms.get(word, 0) + 1

    def one(m: re.Match[str]) -> str:
        word = m.group(0)
        forms = seen.get(word.lower())
        if not forms:
            return word.lower()
        return max(forms.items(), key=lambda kv: (kv[1], kv[0].islower()))[0]

    cased = re.sub(r"[^\W\d_]+", one, upper)
    return capitalise(cased)


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
