"""Plain text and HTML as copied from a provincial portal or a legal-database site."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from core.reading.source import Kind, Piece, Unreadable

CELL_LINE = re.compile(r"^\s*\|\s*$")
SKIPPED_TAGS = frozenset(
    {"script", "style", "head", "nav", "form", "button", "select", "noscript", "template", "iframe", "svg", "textarea"}
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "tr",
        "br",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "table",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "dd",
        "dt",
        "center",
    }
)


def decode(data: bytes, name: str) -> str:
    """The text of a text file: UTF-8 (with or without a BOM) or UTF-16 with its BOM; Windows-1258, the Vietnamese
    Windows code page, when it is not UTF-8.

    Raises:
        Unreadable: binary data, not text.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise Unreadable(f"{name}: tệp không đọc được như văn bản UTF-16 (not valid UTF-16 text)") from exc
    if b"\x00" in data[:65536]:
        raise Unreadable(f"{name}: tệp không phải văn bản mà là dữ liệu nhị phân (binary data, not text)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="replace")


def pieces_of_text(text: str) -> list[Piece]:
    """Lines; a line that is only "|" ends a table cell (how sites show the header's cells)."""
    out: list[Piece] = []
    for line in text.splitlines():
        if CELL_LINE.match(line):
            out.append(Piece.cell_end())
        elif "|" in line and line.count("|") >= 2:  # a table row written "| a | b |"
            for cell in line.strip().strip("|").split("|"):
                out += [Piece(cell.strip(), Kind.LINE), Piece.cell_end()]
        else:
            out.append(Piece(line, Kind.LINE))
    return out


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[Piece] = []
        self.buf: list[str] = []
        self.skip = 0

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.buf)).strip()
        self.buf.clear()
        if text:
            self.out.append(Piece(text, Kind.PARA))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skip += 1
        elif tag == "table":
            self.flush()
            self.out.append(Piece.row_end())  # what came before is not the table's first cell
        elif tag in BLOCK_TAGS or tag in ("td", "th"):
            self.flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th"):
            self.flush()
            self.out.append(Piece.cell_end())
        elif tag == "tr":
            self.flush()
            self.out.append(Piece.row_end())
        elif tag in BLOCK_TAGS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.buf.append(data)


def pieces_of_html(text: str) -> list[Piece]:
    """Block elements as paragraphs (their source's line breaks are spaces, as a browser shows them), table cells
    ended; scripts, styles, menus and forms left out."""
    parser = _Html()
    parser.feed(text)
    parser.close()
    parser.flush()
    return parser.out


def looks_like_html(text: str) -> bool:
    head = text[:4096].lower()
    return "<html" in head or "<!doctype html" in head or ("<p" in head and "</p>" in text[:65536].lower())
