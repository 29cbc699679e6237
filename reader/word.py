"""A .docx (Office Open XML, as the document-management systems export it) → pieces: the body's paragraphs and
tables in document order, with Word's automatic list numbering put back in front of each numbered paragraph
("I.", "1.", "a)"), since the numbers are not in the text but in the numbering part (ECMA-376, Part 1, §17.9)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core.reading.source import Kind, Piece, Unreadable
from core.reading.text import roman

MAX_UNPACKED = 80_000_000  # bytes of all parts unpacked: a 10 MB .docx is mostly images; text is a few MB
MAX_PARTS = 3000
MAX_BODY = 30_000_000  # bytes of word/document.xml: a 200-page plan's is a few MB
MAX_PARAGRAPHS = 100_000  # a 200-page plan has a few thousand; empty ones (<w:p/>) cost as much to parse
MAX_NUMBER = 999  # a list counter beyond it is shown in digits: "MMMMMMMM…" and "aaaa…" grow with the number
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LETTERS = "abcdefghijklmnopqrstuvwxyz"
BULLETS = {"-": "-", "–": "-", "+": "+"}  # other bullet glyphs (•, , o, ▪) are read as "-"


def check_package(data: bytes, name: str) -> None:
    """Refuse what is not a Word document, or would unpack too large, before python-docx opens it.

    Raises:
        Unreadable: with the reason.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable(f"{name}: tệp .docx bị hỏng, không mở được (a damaged .docx: not a valid package)") from exc
    if "word/document.xml" not in names:
        raise Unreadable(f"{name}: tệp không phải văn bản Word .docx (not a Word document)")
    if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise Unreadable(f"{name}: tệp .docx giải nén ra quá lớn (the package unpacks too large)")
    body = next(i for i in infos if i.filename == "word/document.xml")
    if body.file_size > MAX_BODY:
        raise Unreadable(f"{name}: nội dung tệp .docx quá lớn (the document's body unpacks too large)")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read(body)
    paragraphs = xml.count(b"<w:p>") + xml.count(b"<w:p ") + xml.count(b"<w:p/>")
    if paragraphs > MAX_PARAGRAPHS:
        raise Unreadable(
            f"{name}: tệp .docx có {paragraphs:,} đoạn, quá giới hạn {MAX_PARAGRAPHS:,} đoạn "
            f"(the document has {paragraphs:,} paragraphs; at most {MAX_PARAGRAPHS:,})"
        )


def docx_pieces(data: bytes, name: str) -> list[Piece]:
    """The document's text as pieces.

    Raises:
        Unreadable: a damaged or non-Word file.
    """
    check_package(data, name)
    from docx import Document  # here: the service loads python-docx only when a document comes
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise Unreadable(f"{name}: tệp .docx bị hỏng, không mở được (a damaged .docx)") from exc
    except Exception as exc:  # lxml's XMLSyntaxError and kin: python-docx raises what its parsers raise
        raise Unreadable(f"{name}: nội dung tệp .docx bị hỏng (the .docx's XML is damaged)") from exc
    numbering = Numbering(doc)
    out: list[Piece] = []
    for block in _blocks(doc.element.body):
        out += _block(block, numbering, doc, in_cell=False)
    return out


def _blocks(parent: Any) -> Iterator[Any]:
    for child in parent.iterchildren():
        if child.tag in (f"{W}p", f"{W}tbl"):
            yield child
        elif child.tag == f"{W}sdt":  # content controls wrap paragraphs in some templates
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _blocks(content)


def _block(el: Any, numbering: Numbering, doc: Any, in_cell: bool) -> list[Piece]:
    if el.tag == f"{W}tbl":
        out: list[Piece] = [Piece.row_end()]  # what came before is not the table's first cell
        for tr in el.iterchildren(f"{W}tr"):
            for tc in tr.iterchildren(f"{W}tc"):
                for inner in _blocks(tc):
                    out += _block(inner, numbering, doc, in_cell=True)
                out.append(Piece.cell_end())
            out.append(Piece.row_end())
        return out
    text = _text(el)
    label = numbering.label(el, doc)
    if label:
        text = f"{label} {text.lstrip()}"
    if in_cell:  # a cell's line breaks part its lines ("ỦY BAN NHÂN DÂN" / "TỈNH TUYÊN QUANG")
        return [Piece(line, Kind.PARA) for line in text.split("\n")]
    return [Piece(text.replace("\n", " "), Kind.PARA)]


def _text(p: Any) -> str:
    """A paragraph's text: its runs (in hyperlinks, fields and insertions too), tabs as spaces, breaks as "\\n";
    deleted text (tracked changes) left out."""
    parts: list[str] = []
    for el in p.iter():
        tag = el.tag
        if tag == f"{W}t" and not _deleted(el):
            parts.append(el.text or "")
        elif tag == f"{W}tab":
            parts.append(" ")
        elif tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
    return "".join(parts)


def _deleted(el: Any) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag == f"{W}del":
            return True
        parent = parent.getparent()
    return False


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    legal: bool = False


class Numbering:
    """Word's list counters, replayed in document order."""

    def __init__(self, doc: Any) -> None:
        self.levels: dict[str, dict[int, _Level]] = {}  # abstractNumId → level → its format
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId → (abstractNumId, start overrides)
        self.counters: dict[str, list[int]] = {}  # abstractNumId → the counters of its 9 levels
        self.started: set[str] = set()  # numIds met (their overrides applied)
        try:
            root = doc.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for a in root.iterchildren(f"{W}abstractNum"):
            lv: dict[int, _Level] = {}
            for lvl in a.iterchildren(f"{W}lvl"):
                lv[_number(lvl.get(f"{W}ilvl", "0")) % 9] = _level(lvl)
            self.levels[a.get(f"{W}abstractNumId", "")] = lv
        for n in root.iterchildren(f"{W}num"):
            ref = n.find(f"{W}abstractNumId")
            overrides: dict[int, int] = {}
            for o in n.iterchildren(f"{W}lvlOverride"):
                start = o.find(f"{W}startOverride")
                if start is not None:
                    overrides[_number(o.get(f"{W}ilvl", "0")) % 9] = _number(start.get(f"{W}val", "1"))
            if ref is not None:
                self.nums[n.get(f"{W}numId", "")] = (ref.get(f"{W}val", ""), overrides)

    def label(self, p: Any, doc: Any) -> str:
        """The number Word shows before paragraph ``p``, "" if none; advances the counters."""
        found = _num_pr(p, doc)
        if found is None:
            return ""
        num_id, ilvl = found
        if num_id not in self.nums:
            return ""
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        counters = self.counters.setdefault(
            abstract, [lv.start - 1 for lv in (levels.get(i, _Level()) for i in range(9))]
        )
        if num_id not in self.started:
            self.started.add(num_id)
            for overridden, start in overrides.items():
                counters[overridden] = start - 1
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = levels.get(deeper, _Level()).start - 1
        level: _Level = levels.get(ilvl, _Level())
        if level.fmt == "bullet":
            return BULLETS.get(level.text.strip(), "-")
        if level.fmt == "none":
            return ""
        out: str = level.text
        for i in range(9):
            if f"%{i + 1}" in out:
                fmt = "decimal" if level.legal else levels.get(i, _Level()).fmt
                out = out.replace(f"%{i + 1}", _format(max(counters[i], 1), fmt))
        return out.strip()


def _level(lvl: Any) -> _Level:
    def val(tag: str, default: str) -> str:
        el = lvl.find(f"{W}{tag}")
        return el.get(f"{W}val", default) if el is not None else default

    return _Level(
        val("numFmt", "decimal"),
        val("lvlText", "%1.")[:40],
        _number(val("start", "1")),
        lvl.find(f"{W}isLgl") is not None,
    )


def _number(value: str) -> int:
    """A start value as Word would take it, within 0..MAX_NUMBER (a file may say anything)."""
    try:
        return min(max(int(value), 0), MAX_NUMBER)
    except ValueError:
        return 1


def _num_pr(p: Any, doc: Any) -> tuple[str, int] | None:
    """(numId, level) of a paragraph: its own, else its style's (through "based on")."""
    ppr = p.find(f"{W}pPr")
    num_id, ilvl = None, None
    if ppr is not None:
        numpr = ppr.find(f"{W}numPr")
        if numpr is not None:
            n, lv = numpr.find(f"{W}numId"), numpr.find(f"{W}ilvl")
            num_id = n.get(f"{W}val") if n is not None else None
            ilvl = int(lv.get(f"{W}val", "0")) if lv is not None else None
        style = ppr.find(f"{W}pStyle")
        if num_id is None and style is not None:
            num_id, style_level = _style_num(doc, style.get(f"{W}val", ""))
            ilvl = ilvl if ilvl is not None else style_level
    if not num_id or num_id == "0":
        return None
    return num_id, min(max(ilvl or 0, 0), 8)


def _style_num(doc: Any, style_id: str) -> tuple[str | None, int]:
    seen: set[str] = set()
    styles = doc.styles.element
    while style_id and style_id not in seen:
        seen.add(style_id)
        style = next((s for s in styles.iterchildren(f"{W}style") if s.get(f"{W}styleId") == style_id), None)
        if style is None:
            break
        numpr = style.find(f"{W}pPr/{W}numPr")
        if numpr is not None:
            n, lv = numpr.find(f"{W}numId"), numpr.find(f"{W}ilvl")
            return (n.get(f"{W}val") if n is not None else None), int(lv.get(f"{W}val", "0")) if lv is not None else 0
        based = style.find(f"{W}basedOn")
        style_id = based.get(f"{W}val", "") if based is not None else ""
    return None, 0


def _format(n: int, fmt: str) -> str:
    if n > MAX_NUMBER:  # counted past any list of a real document: digits, which grow with the log of it
        return str(n)
    if fmt in ("upperRoman", "lowerRoman"):
        out = roman(n)
        return out if fmt == "upperRoman" else out.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        letter = LETTERS[(n - 1) % 26] * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)
