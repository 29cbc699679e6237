"""Task tables, as plans put them in an appendix ("PHỤ LỤC — DANH MỤC NHIỆM VỤ …", kèm theo Kế hoạch): a header row
recognised by its words ("STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành"), rows of
tasks numbered 1, 2, … under group rows ("I. CÔNG TÁC TUYÊN TRUYỀN", merged across the table), each row one task: its
lead and coordinating agencies from their columns.

A .docx or an HTML page marks the ends of rows; text copied from a legal-database site shows each cell followed by
a "|" line and a row by one more, so its rows are rebuilt with the header's width. A row whose number cell is empty
goes on the row before (a row broken over two pages).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.reading.model import DraftTask, Quote
from core.reading.names import Mention, Names
from core.reading.source import Kind, Piece
from core.reading.text import fold, squeeze

TASK = re.compile(r"\b(?:nhiem vu|noi dung|hoat dong|cong viec|giai phap|ten de an)\b")
# the lead's column: "Cơ quan chủ trì", or "Đơn vị thực hiện" beside a "Đơn vị phối hợp" column
LEAD = re.compile(r"\bchu tri\b|\b(?:co quan|don vi) (?:thuc hien|chiu trach nhiem)\b")
COORDINATE = re.compile(r"\bphoi hop\b")
NUMBER = re.compile(r"^(?:stt|tt|so tt|so thu tu)$")
NUMBERED = re.compile(r"^(\d{1,3})(?:\.(\d{1,2}))?\.?$")
ROMAN = re.compile(r"^[IVX]+$")
NUMERAL = re.compile(r"^([A-Z]|[IVX]+)\.?$")  # a group's numeral in the number column
GROUP = re.compile(r"^([A-Z]|[IVX]+)\.\s*\S")  # "I. NÂNG CAO NHẬN THỨC …", "A. NHIỆM VỤ CHUNG"
MAX_CELL = 3000  # letters: a "cell" longer than this is the text after the table, not a cell of it


@dataclass
class Columns:
    width: int
    task: int
    lead: int
    coordinate: int
    number: int | None = None


@dataclass
class Tables:
    tasks: list[DraftTask] = field(default_factory=list)
    unknown: list[tuple[Mention, str]] = field(default_factory=list)


def read_tables(pieces: Sequence[Piece], names: Names, text: str) -> Tables:
    """The tasks of every task table in ``pieces``; ``text`` is the document's text, where each task is quoted."""
    out = Tables()
    cursor = 0
    seen: set[tuple[str, int]] = set()
    for body, cols in _bodies(pieces):
        cursor = _rows(out, body, cols, names, text, cursor, seen)
    return out


def _bodies(pieces: Sequence[Piece]) -> list[tuple[list[list[str]], Columns]]:
    """Each task table's rows after its header, with the header's columns."""
    out: list[tuple[list[list[str]], Columns]] = []
    if any(p.kind is Kind.ROW for p in pieces):
        rows = _cells(pieces, explicit=True)
        heads: list[tuple[int, Columns, list[str]]] = []
        for i, row in enumerate(rows):
            cols = _header(row)
            if cols is None:
                continue
            if heads and _same_header(row, heads[-1][2], heads[-1][1], cols):
                rows[i] = []  # the header again, over a new page or a new part of the table (maybe without "STT")
                continue
            heads.append((i, cols, row))
        for n, (i, cols, _) in enumerate(heads):
            end = heads[n + 1][0] if n + 1 < len(heads) else len(rows)
            out.append((rows[i + 1 : end], cols))
        return out
    flat = [row[0] if row else "" for row in _cells(pieces, explicit=False)]
    i = 0
    while i < len(flat):
        if not flat[i]:
            i += 1
            continue
        j = i
        while j < len(flat) and flat[j]:
            j += 1
        found = _header(flat[i:j])
        if found is None:
            i = j
            continue
        i += min(x for x in (found.number, found.task, found.lead, found.coordinate) if x is not None)
        header = _header(flat[i:j])  # the text before the table ran into its first cell: from the header's first
        if header is None:
            i = j
            continue
        rows, i = _rebuild(flat, i + header.width, flat[i : i + header.width], header)
        out.append((rows, header))
    return out


def _cells(pieces: Sequence[Piece], explicit: bool) -> list[list[str]]:
    """The document's cells as rows: with the format's row ends (``explicit``), else one cell a row (plain text,
    whose rows are rebuilt later). Text between tables becomes a row of its own (a .docx table is closed before
    and after, so its text never runs into a cell)."""
    rows: list[list[str]] = []
    row: list[str] = []
    buf: list[str] = []
    for p in pieces:
        if p.kind is Kind.CELL:
            row.append(_cell(buf))
            buf.clear()
            if not explicit:
                rows.append(row)
                row = []
        elif p.kind is Kind.ROW:
            if buf:
                row.append(_cell(buf))
                buf.clear()
            rows.append(row)
            row = []
        elif p.text.strip() and p.text.strip() != "|":
            buf.append(p.text.strip())
    return rows


def _cell(lines: list[str]) -> str:
    """A cell's lines as one text, without emphasis marks split across its paragraphs ("**I." / "CÔNG TÁC …**")."""
    return squeeze(" ".join(lines).replace("**", ""))


def _same_header(row: list[str], first: list[str], cols: Columns, again: Columns) -> bool:
    """``row`` repeats the header ``first`` (of columns ``cols``) over a new page or a new part of the table: the
    same words for the lead's and the coordinating agencies' columns, wherever they stand (a repeat may leave out
    the number's column and call the task otherwise: "Nhiệm vụ, giải pháp", then "Nội dung")."""
    return (fold(row[again.lead]), fold(row[again.coordinate])) == (
        fold(first[cols.lead]),
        fold(first[cols.coordinate]),
    )


def _header(row: list[str]) -> Columns | None:
    folded = [fold(c) for c in row]
    task = next((i for i, f in enumerate(folded) if TASK.search(f) and not LEAD.search(f) and len(f) < 60), None)
    coordinate = next((i for i, f in enumerate(folded) if COORDINATE.search(f) and len(f) < 60), None)
    lead = next((i for i, f in enumerate(folded) if LEAD.search(f) and len(f) < 60 and i != coordinate), None)
    if task is None or lead is None or coordinate is None or len({task, lead, coordinate}) < 3:
        return None
    number = next((i for i, f in enumerate(folded) if NUMBER.match(f)), None)
    return Columns(len(row), task, lead, coordinate, number)


def _rebuild(flat: list[str], i: int, header: list[str], cols: Columns) -> tuple[list[list[str]], int]:
    """Plain text's cells (one per entry) from ``i``, after a header of ``width`` cells → rows, and where they end:
    an empty cell ends a row; a row of one cell is a merged one (a group's heading)."""
    rows: list[list[str]] = []
    width, numbered = cols.width, cols.number == 0
    while i < len(flat):
        if not flat[i]:
            i += 1
            continue
        if len(flat[i]) > MAX_CELL:
            break
        if (again := _header(flat[i : i + width])) is not None:
            if not _same_header(flat[i : i + width], header, cols, again):
                break
            while i < len(flat) and flat[i]:  # the header again: past it
                i += 1
            continue
        if numbered and not (NUMBERED.match(flat[i]) or NUMERAL.match(flat[i]) or GROUP.match(flat[i])):
            i += 1  # a row opens with its number: this is something else ("…………" where rows were cut)
            continue
        j = i
        while j < len(flat) and flat[j]:
            j += 1
        run = flat[i:j]  # up to the next empty cell: a whole row, or one with empty cells, or a merged one
        if len(run) < width and (len(run) == 1 or NUMERAL.match(run[0])):
            rows.append(run)  # "I. CÔNG TÁC TUYÊN TRUYỀN", or "I" | "CÔNG TÁC TUYÊN TRUYỀN" over merged cells
            i = j + 1
            continue
        rows.append(flat[i : i + width])
        i += width
    return rows, i


def _rows(
    out: Tables,
    rows: list[list[str]],
    cols: Columns,
    names: Names,
    text: str,
    cursor: int,
    seen: set[tuple[str, int]],
) -> int:
    group = part = ""  # "I." under "A.": the part, then the group within it
    last: DraftTask | None = None
    for row in rows:
        filled = [c for c in row if c]
        if not filled:
            continue
        m = GROUP.match(filled[0]) if len(filled) == 1 and (len(row) == 1 or not row[cols.task]) else None
        m = m or (NUMERAL.match(filled[0]) if len(filled) == 2 else None)  # "I" | "CÔNG TÁC TUYÊN TRUYỀN"
        if m:
            if ROMAN.match(m.group(1)):
                group = m.group(1)
            else:
                part, group = m.group(1), ""
            last = None
            continue
        if len(row) < cols.width:
            if len(filled) == 1 and len(filled[0]) > MAX_CELL:
                break
            continue
        number = row[cols.number].strip() if cols.number is not None else ""
        words = row[cols.task]
        if not words:
            continue
        m = NUMBERED.match(number)
        if cols.number is not None and not number and last is not None:  # a row broken over two pages
            last.text = f"{last.text} {words}"
            continue
        first, second = (int(m.group(1)), int(m.group(2) or 0)) if m else (len(out.tasks) + 1, 0)
        where = ".".join(x for x in (part, group, str(first)) if x)
        ref, paragraph, n = f"PL.{where}", second, 1
        while _taken(seen, ref, paragraph) and n < 99:  # numbered twice (a second table, a group heading lost):
            n += 1  # "PL2.II.2", so that every row keeps a reference of its own
            ref = f"PL{n}.{where}"
        seen.add((ref, paragraph))
        lead = _agencies(out, row[cols.lead], names, ref)
        coordinate = _agencies(out, row[cols.coordinate], names, ref)
        found = text.find(words[:60], cursor)
        start = found if found >= 0 else cursor
        cursor = start + len(words) if found >= 0 else cursor
        quote = Quote(row[cols.lead][:200], start, start + len(words))
        last = DraftTask(
            ref=ref,
            paragraph=paragraph,
            title=_title(words),
            text=words,
            lead=[c for m in lead for c in (m.targets or (f"?{m.said}",))],
            coordinate=[c for m in coordinate for c in (m.targets or (f"?{m.said}",))],
            quote=quote,
            source=Quote(words, start, start + len(words)),
        )
        out.tasks.append(last)
    return cursor


def _taken(seen: set[tuple[str, int]], ref: str, paragraph: int) -> bool:
    """Whether (ref, paragraph) would clash in a plan file: taken, or an item both whole and split in paragraphs."""
    if (ref, paragraph) in seen:
        return True
    return (ref, 0) in seen if paragraph else any(r == ref for r, _ in seen)


def _agencies(out: Tables, cell: str, names: Names, ref: str) -> list[Mention]:
    """The agencies a column's cell names, known or not ("Sở TT&TT; Ban Quản lý các khu công nghiệp, …")."""
    found: list[Mention] = []
    for part in re.split(r"[;\n]|\s+-\s+", cell):
        got, _ = names.leading(part.strip(" .,"))
        found += got
    for m in found:
        if not m.known:
            out.unknown.append((m, ref))
    return list({(m.targets or (m.said,)): m for m in found}.values())


def _title(words: str) -> str:
    m = re.search(r"(?<!\d)[.;:](?=\s|$)", words)
    clause = words[: m.start()] if m else words
    return clause if len(clause) <= 110 else clause[:110].rsplit(" ", 1)[0].rstrip(",;: ") + "…"
