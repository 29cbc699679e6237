"""A PDF with a text layer (printed from Word, as provincial portals publish plans) → pieces.

pdfplumber gives each character with its place, size, colour and transformation; from them: lines, the two
columns of the header and of the signature block put back one after the other (issuer and number, then motto and
date), paragraphs from the first-line indent Nghị định 30/2020/NĐ-CP prescribes, and what is not the document left
out: page numbers, the signing software's stamp ("Ký bởi: … Thời gian ký: …"), watermarks (turned or pale).
pypdfium2 opens the file first: a password, damage or too many pages are refused before any text is read.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core.reading.source import MAX_CHARS, MAX_PAGES, Kind, Piece, Unreadable

STAMP = re.compile(r"^(?:Ký bởi|Người ký|Email|E-mail|Cơ quan|Thời gian ký|Ngày ký|Signed by|Signature|Chức vụ)\b")
TYPE_LINE = re.compile(
    r"^(?:KẾ HOẠCH|QUYẾT ĐỊNH|CHỈ THỊ|CHƯƠNG TRÌNH|THÔNG BÁO|HƯỚNG DẪN|BÁO CÁO|ĐỀ ÁN|TỜ TRÌNH|"
    r"NGHỊ QUYẾT|CÔNG ĐIỆN|PHƯƠNG ÁN|QUY CHẾ)\b"
)
PAGE_NUMBER = re.compile(r"^(?:-\s*)?\d{1,3}(?:\s*-)?$|^Trang\s+\d+")
COLUMN_GAP = 12.0  # points between the two cells of a header row (a word space is 3-4)
MIN_TEXT = 40  # characters in the whole file: below it, the pages are pictures (a scan)
MAX_PAGE_CHARS = 20_000  # an A4 page of 10-point text holds about 6,000; a page past this is not a plan's


def _too_many_pages(name: str, pages: int | None) -> Unreadable:
    said, english = (str(pages), str(pages)) if pages is not None else (f"hơn {MAX_PAGES}", f"over {MAX_PAGES}")
    return Unreadable(
        f"{name}: tệp PDF có {said} trang, quá giới hạn {MAX_PAGES} trang "
        f"(the PDF has {english} pages; at most {MAX_PAGES})"
    )


def _vi(n: int) -> str:
    """A number as Vietnamese writes it: 1.000.000."""
    return f"{n:,}".replace(",", ".")


def _too_much_text(name: str) -> Unreadable:
    return Unreadable(
        f"{name}: tệp PDF chứa quá nhiều chữ cho một kế hoạch (quá {_vi(MAX_CHARS)} ký tự, hoặc quá "
        f"{_vi(MAX_PAGE_CHARS)} ký tự một trang) "
        f"(too much text: over {MAX_CHARS:,} characters, or {MAX_PAGE_CHARS:,} on a page)"
    )


def check_pdf(data: bytes, name: str) -> int:
    """The number of pages of a PDF that can be read.

    Raises:
        Unreadable: not a PDF, damaged, locked by a password, or too many pages.
    """
    if b"%PDF-" not in data[:1024]:
        raise Unreadable(f"{name}: tệp không phải PDF (the file is not a PDF)")
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise Unreadable(
                f"{name}: tệp PDF được khóa bằng mật khẩu; hãy gửi bản không khóa (the PDF is locked with a password)"
            ) from exc
        raise Unreadable(f"{name}: tệp PDF bị hỏng, không mở được (a damaged PDF)") from exc
    try:
        pages = len(doc)
        if pages > MAX_PAGES:
            raise _too_many_pages(name, pages)
        # Characters counted by pdfium (in C, fast) before pdfplumber lays each one out in Python: a page of one
        # stream of 200,000 glyphs would cost seconds and hundreds of MB there.
        total = 0
        for index in range(pages):
            page = doc[index]
            try:
                text = page.get_textpage()
                try:
                    chars = text.count_chars()
                finally:
                    text.close()
            finally:
                page.close()
            total += chars
            if chars > MAX_PAGE_CHARS or total > MAX_CHARS:
                raise _too_much_text(name)
    finally:
        doc.close()
    if pages == 0:
        raise Unreadable(f"{name}: tệp PDF không có trang nào (the PDF has no pages)")
    return pages


@dataclass
class Line:
    page: int
    top: float
    x0: float
    x1: float
    size: float
    words: list[tuple[float, float, str]] = field(default_factory=list)  # (x0, x1, text)

    @property
    def text(self) -> str:
        return " ".join(w[2] for w in self.words)

    def segments(self) -> list[tuple[float, float, str]]:
        """The line's runs of words, split where a gap is wide enough to be between two cells."""
        out: list[list[tuple[float, float, str]]] = []
        for w in self.words:
            if out and w[0] - out[-1][-1][1] < COLUMN_GAP:
                out[-1].append(w)
            else:
                out.append([w])
        return [(s[0][0], s[-1][1], " ".join(x[2] for x in s)) for s in out]


def pdf_pieces(data: bytes, name: str) -> tuple[list[Piece], int]:
    """The pieces of a PDF's text, and its number of pages.

    Raises:
        Unreadable: as ``check_pdf``; or the pages hold no text (a scan: no OCR here).
    """
    pages = check_pdf(data, name)
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    lines: list[Line] = []
    width = 595.0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            # The pages as pdfminer, which reads them, counts them, walked without reading any: a page tree whose
            # /Count says 1 (what pdfium believes) may hold 20,000.
            from pdfminer.pdfpage import PDFPage

            counted = sum(1 for _ in itertools.islice(PDFPage.create_pages(pdf.doc), MAX_PAGES + 1))
            if counted > MAX_PAGES:
                raise _too_many_pages(name, None)
            if counted > pages:
                raise Unreadable(f"{name}: tệp PDF bị hỏng: số trang không khớp (a damaged PDF: its page count lies)")
            for number, page in enumerate(pdf.pages, start=1):
                width = float(page.width)
                kept = page.filter(_ink)
                lines += _lines(kept.extract_words(extra_attrs=["size"], x_tolerance=1.5), number, float(page.height))
                page.close()  # its characters and layout are not needed again: memory stays that of one page
    except PDFPasswordIncorrect as exc:
        raise Unreadable(f"{name}: tệp PDF được khóa bằng mật khẩu (the PDF is locked with a password)") from exc
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise Unreadable(f"{name}: tệp PDF bị hỏng, không đọc được chữ (a damaged PDF)") from exc
    if sum(len(x.text) for x in lines) < MIN_TEXT:
        raise Unreadable(
            f"{name}: tệp PDF là bản quét (ảnh), không có lớp chữ để đọc; hãy gửi bản .docx hoặc PDF "
            "in từ Word (a scanned PDF without a text layer; OCR is not supported)"
        )
    return _pieces(lines, width), pages


def _ink(obj: dict[str, Any]) -> bool:
    """Keep the document's own characters: upright (not a turned watermark) and dark (not a pale watermark or the
    signing stamp's colour)."""
    if obj.get("object_type") != "char":
        return True
    matrix = obj.get("matrix") or (1, 0, 0, 1, 0, 0)
    if abs(matrix[1]) > 0.01 or abs(matrix[2]) > 0.01:
        return False
    color = obj.get("non_stroking_color")
    if color is None or not isinstance(color, (tuple, list)):
        return True
    values = [float(c) for c in color if isinstance(c, (int, float))]
    if len(values) == 1:
        return values[0] <= 0.5
    if len(values) == 3:
        return max(values) <= 0.5
    if len(values) == 4:
        return values[3] >= 0.5 or min(values[:3]) >= 0.5
    return True


def _lines(words: Sequence[dict[str, Any]], page: int, height: float) -> list[Line]:
    out: list[Line] = []
    for w in sorted(words, key=lambda w: (round(float(w["top"])), float(w["x0"]))):
        top, size = float(w["top"]), float(w.get("size", 12))
        line = next((x for x in reversed(out[-3:]) if abs(x.top - top) <= 2.5), None)
        if line is None:
            line = Line(page, top, float(w["x0"]), float(w["x1"]), size)
            out.append(line)
        line.words.append((float(w["x0"]), float(w["x1"]), str(w["text"])))
        line.x0, line.x1, line.size = min(line.x0, float(w["x0"])), max(line.x1, float(w["x1"])), max(line.size, size)
    for line in out:
        line.words.sort()
    out.sort(key=lambda x: x.top)
    return [x for x in out if not _furniture(x, height)]


def _furniture(line: Line, height: float) -> bool:
    """A page number in the top or bottom margin, or a line of the signing software's stamp."""
    text = line.text.strip()
    if PAGE_NUMBER.match(text) and (line.top < 0.1 * height or line.top > 0.9 * height):
        return True
    return bool(STAMP.match(text)) and line.size < 10


def _pieces(lines: list[Line], width: float) -> list[Piece]:
    if not lines:
        return []
    middle = width / 2
    head_end = next((i for i, x in enumerate(lines[:25]) if x.page == 1 and TYPE_LINE.match(x.text)), 0)
    close_at = next((i for i, x in enumerate(lines) if x.text.startswith("Nơi nhận")), len(lines))
    out = _columns(lines[:head_end], middle)
    out += _body(lines[head_end:close_at])
    out += _columns(lines[close_at:], middle)
    return out


def _columns(lines: list[Line], middle: float) -> list[Piece]:
    """A two-column table (the header, the closing): the left cell's lines, then the right's. The cells part at the
    gutter no word crosses on any of the table's lines (a narrow cell's text may run close to it, or past the page's
    middle); at the page's middle when there is none."""
    if not lines:
        return []
    cut = _gutter(lines) or middle - 20
    left: list[str] = []
    right: list[str] = []
    for line in lines:
        sides: dict[bool, list[str]] = {True: [], False: []}
        for x0, x1, word in line.words:
            sides[(x0 + x1) / 2 < cut].append(word)
        left += [" ".join(sides[True])] if sides[True] else []
        right += [" ".join(sides[False])] if sides[False] else []
    out = [Piece(t, Kind.PARA) for t in left] + [Piece.cell_end()]
    return out + [Piece(t, Kind.PARA) for t in right] + [Piece.cell_end()]


def _gutter(lines: list[Line]) -> float | None:
    """The middle of the widest strip between the table's words that no word of any of its lines covers, when some
    line has words on both sides of it (else the table has one column of text)."""
    spans = sorted((x0, x1) for line in lines for x0, x1, _ in line.words)
    if not spans:
        return None
    best: tuple[float, float] | None = None
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 > reach and (best is None or x0 - reach > best[1] - best[0]):
            best = (reach, x0)
        reach = max(reach, x1)
    if best is None:
        return None
    cut = (best[0] + best[1]) / 2
    both = any(any(w[1] <= cut for w in line.words) and any(w[0] >= cut for w in line.words) for line in lines)
    return cut if both else None


def _body(lines: list[Line]) -> list[Piece]:
    """Paragraphs: a line indented past the text's left edge starts one (the first-line indent), as does a line
    after one that stops short of the right edge (justified text fills every line but a paragraph's last) or after
    a gap wider than the line spacing; a centred line (the title) stands alone."""
    if not lines:
        return []
    lefts, rights = sorted(x.x0 for x in lines), sorted(x.x1 for x in lines)
    margin, right = lefts[len(lefts) // 20], rights[-1 - len(rights) // 20]  # the text's edges, past a stray line
    gaps = [b.top - a.top for a, b in itertools.pairwise(lines) if a.page == b.page and b.top > a.top]
    leading = sorted(gaps)[len(gaps) // 2] if gaps else 15.0
    out: list[Piece] = []
    current: list[str] = []

    def close() -> None:
        if current:
            out.append(Piece(" ".join(current), Kind.PARA))
            current.clear()

    previous: Line | None = None
    for line in lines:
        indented = line.x0 > margin + 8
        centred = indented and line.x1 < right - 20 and abs((line.x0 + line.x1) / 2 - (margin + right) / 2) < 30
        gap = previous is not None and previous.page == line.page and line.top - previous.top > 1.6 * leading
        short = previous is not None and previous.x1 < right - 30  # a justified paragraph's last line stops short
        if indented or gap or centred or short or (previous is not None and _centred_before(previous, margin, right)):
            close()
        current.append(line.text)
        if centred:
            close()
        previous = line
    close()
    return out


def _centred_before(line: Line, margin: float, right: float) -> bool:
    return line.x0 > margin + 8 and line.x1 < right - 20 and abs((line.x0 + line.x1) / 2 - (margin + right) / 2) < 30
