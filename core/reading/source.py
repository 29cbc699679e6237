"""What a document reader hands the wording rules: pieces of text in document order, and the refusals it may
raise instead."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

MAX_DOCUMENT_BYTES = 10_000_000  # a signed 40-page plan with its scanned seal is ~3 MB; a plan is never 10 MB
MAX_PAGES = 200  # plan 46 is 9 pages; appendices with task tables reach 60
MAX_CHARS = 1_000_000  # of text (plan 46 is 27,000)


class Kind(enum.Enum):
    LINE = "line"  # a line of a paragraph whose ends the reader does not know (plain text): ``layout`` joins them
    PARA = "para"  # a whole paragraph (a .docx paragraph, a PDF paragraph rebuilt from its indent)
    CELL = "cell"  # the end of a table cell (the header and the signature block are two-column tables)
    ROW = "row"  # the end of a table row, where the format knows it (.docx, HTML); plain text leaves it to be inferred


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    kind: Kind = Kind.PARA

    @staticmethod
    def cell_end() -> Piece:
        return Piece("", Kind.CELL)

    @staticmethod
    def row_end() -> Piece:
        return Piece("", Kind.ROW)


@dataclass(frozen=True, slots=True)
class Source:
    """A document's text: ``pieces`` in order, its ``format`` ("docx", "pdf", "txt", "html") and ``name``."""

    name: str
    format: str
    pieces: tuple[Piece, ...]
    pages: int = 0


class Unreadable(Exception):
    """Nothing can be drafted from the file; ``message`` says why in Vietnamese, with the English in brackets,
    in one line. Nothing has been written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def vietnamese(self) -> str:
        """The message without its English in brackets at the end (for a page in Vietnamese)."""
        return re.sub(r"\s*\([\x20-\x7e]+\)\s*$", "", self.message)
