"""Pieces of a document → its paragraphs, with where each sits in the document's text.

A .docx or a rebuilt PDF gives whole paragraphs. Plain text copied from a portal gives lines wrapped at some width,
the header's cells one per line or between "|" lines; the paragraphs are rebuilt here by what starts one in an
administrative document (Nghị định 30/2020/NĐ-CP: "I.", "1.", "a)", "-", "+", "Căn cứ", "Nơi nhận") and by what a
wrapped line looks like (it goes on in lower case, after a comma, or fills the line).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.reading.names import INSTITUTIONS
from core.reading.source import Kind, Piece
from core.reading.text import fold, is_upper, squeeze

STARTS = re.compile(
    r"^(?:PHẦN\s+|Phần\s+thứ\s+|[IVX]+\.\s|\d{1,2}(?:\.\d{1,2})*\.(?:\s|$)|[a-zđ]\)\s|[-–+•]\s*[A-ZĐÀ-Ỹ0-9\"“(]"
    r"|Căn cứ\s|Nơi nhận|Trên đây|(?:TM|KT|TL|TUQ|Q)\.\s|Điều\s+\d|\((?:Ban hành )?[Kk]èm theo\s)"
)
MARKER_ONLY = re.compile(r"^(?:[IVX]+|\d{1,2}(?:\.\d{1,2})*|[a-zđ])[.)]$")
RULE = re.compile(r"^[-_=–—.*\s]{3,}$")  # the short lines under the issuer and the motto
ENDS = re.compile(r"(?:[.;:!?…]|\./\.)[”\")]?$")
TYPES = r"KẾ HOẠCH|QUYẾT ĐỊNH|CHỈ THỊ|CHƯƠNG TRÌNH|THÔNG BÁO|HƯỚNG DẪN|BÁO CÁO|ĐỀ ÁN|TỜ TRÌNH|NGHỊ QUYẾT|PHƯƠNG ÁN"
TYPE_LINE = re.compile(rf"^(?:{TYPES})$")
# The header's cells run together with the type after them: "… ngày 14 tháng 3 năm 2023 KẾ HOẠCH Thực hiện …"
DATE_THEN_TYPE = re.compile(rf"(ngày\s+\d{{1,2}}\s+tháng\s+\d{{1,2}}\s+năm\s+\d{{4}})\s+(?=(?:{TYPES})\b)")
HANGING = re.compile(r"(?:^|\s)(?:các|với|của|và|cho|về|tại|theo|những|là|do|đến|tới|gồm|như)$", re.IGNORECASE)
LABEL = re.compile(r"^(?:[IVX]+\.|\d{1,2}(?:\.\d{1,2})*\.|[a-zđ]\))\s*")


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph: its text (one line, spaces squeezed) and where it starts in the document's text."""

    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def paragraphs(pieces: Sequence[Piece], names_only: Callable[[str], bool] = lambda _: False) -> list[Para]:
    """The document's paragraphs in order. ``names_only`` says whether a text only names agencies (an item "1. Sở
    Nội vụ" whose duties follow on the next line, not a sentence that goes on)."""
    texts: list[str] = []
    width = _width([p.text for p in pieces if p.kind is Kind.LINE])
    lines: list[str] = []

    def close() -> None:
        if lines:
            texts.extend(DATE_THEN_TYPE.sub("\\1\n", squeeze(" ".join(lines))).split("\n"))
            lines.clear()

    for piece in pieces:
        text = squeeze(piece.text)
        if piece.kind is Kind.CELL or not text or text == "|":  # "|": a site's mark between two cells
            close()
            continue
        if piece.kind is Kind.PARA or RULE.match(text):
            close()
            texts.append(text)
            continue
        if lines and _starts(text, lines, width, names_only):
            close()
        lines.append(text)
    close()
    out: list[Para] = []
    at = 0
    for text in texts:
        if text:
            out.append(Para(text, at))
            at += len(text) + 1
    return out


def text_of(paras: Sequence[Para]) -> str:
    """The document's text: its paragraphs, one a line (``Para.start`` indexes it)."""
    return "\n".join(p.text for p in paras)


def _width(lines: list[str]) -> int:
    """The width the text was wrapped at: the length most full lines reach."""
    lengths = sorted(len(squeeze(x)) for x in lines if len(x) > 20)
    if len(lengths) < 5:
        return 80
    return max(40, lengths[int(len(lengths) * 0.9)])


def _name_opens(line: str) -> bool:
    """``line`` ends with the capitalised first words of an agency's name ("… của Ban", "1. Ủy ban"), so a line that
    goes on in capitals goes on with the name."""
    tail = re.findall(r"[^\W\d_]+", line)[-2:]
    if not tail or not tail[-1][:1].isupper():
        return False
    return any(" ".join(fold(w) for w in tail[-n:]) in INSTITUTIONS for n in (1, 2))


def _starts(line: str, before: list[str], width: int, names_only: Callable[[str], bool]) -> bool:
    """Whether ``line`` starts a new paragraph after the lines ``before`` of the paragraph so far."""
    prev, so_far = before[-1], " ".join(before)
    if MARKER_ONLY.match(so_far.strip()):
        return False  # "10." alone, its words on the next line
    if STARTS.match(line) or TYPE_LINE.match(line):
        return True
    if RULE.match(prev):
        return True
    first = line[0]
    if first.islower() or first.isdigit() or prev.endswith((",", "-", "–")) or first in "-–(":
        return False
    if first.isupper() and _name_opens(prev):
        return False  # "1. Ban" / "Quản lý các khu công nghiệp": a name wrapped after its first word
    if HANGING.search(prev):
        return False  # "… phối hợp với các" / "Sở, ban, ngành …": no sentence ends on "các", "với", "của"
    if is_upper(prev) and is_upper(line):
        return False  # a heading or a name wrapped: "I. MỤC ĐÍCH," "YÊU CẦU"
    if is_upper(prev) != is_upper(line) and (is_upper(prev) or is_upper(so_far)):
        return True  # "II. NỘI DUNG THỰC HIỆN", then its first sentence
    if names_only(LABEL.sub("", so_far)):
        return True  # "1. Sở Nội vụ", then what it does
    if (
        len(before) == 1
        and STARTS.match(prev)
        and not ENDS.search(prev)
        and len(prev) < 0.6 * width
        and not names_only(LABEL.sub("", f"{so_far} {line}"))
    ):
        return True  # "5. Cải cách tài chính công", then its first sentence ("11. Đề nghị" + a name goes on)
    if ENDS.search(prev):
        long_prev, long_line = len(prev) >= 0.8 * width, len(line) >= 0.8 * width
        return not (long_prev and long_line)  # a sentence that ended where the line was wrapped goes on
    return len(before) > 1 and len(prev) < 0.6 * width  # a short last line: the paragraph ended there
