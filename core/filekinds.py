"""Which report files are accepted, judged by their content, never by their name (issue 32).

Agencies send their reports as Word, PDF, Excel or OpenDocument files, or several of them zipped. The kind is told
from the first bytes: ``%PDF-`` for a PDF; the zip family by the members its directory lists (Office Open XML's
``word/document.xml`` or ``xl/workbook.xml``, OpenDocument's ``mimetype``), read with the standard library's
``zipfile`` without unpacking anything; the old Office files (OLE2 compound files) by the name of their main stream,
which the compound file's directory holds in UTF-16 ("WordDocument", "Workbook" or "Book"). Only the directory is
read: nothing here opens the document, so a hostile file costs no more than its size, which is bounded before.
"""

from __future__ import annotations

import enum
import io
import zipfile


class FileKind(enum.StrEnum):
    DOCX = "docx"
    DOC = "doc"
    PDF = "pdf"
    XLSX = "xlsx"
    XLS = "xls"
    ODT = "odt"
    ZIP = "zip"

    @property
    def mime(self) -> str:
        return MIMES[self]


MIMES = {
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.DOC: "application/msword",
    FileKind.PDF: "application/pdf",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.XLS: "application/vnd.ms-excel",
    FileKind.ODT: "application/vnd.oasis.opendocument.text",
    FileKind.ZIP: "application/zip",
}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file's signature ([MS-CFB] 2.2)
ODT_MIME = b"application/vnd.oasis.opendocument.text"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def kind_of(data: bytes) -> FileKind | None:
    """The accepted kind ``data`` is, or None (a picture, a program, a spreadsheet of another kind, garbage)."""
    if data[:1024].find(b"%PDF-") != -1:  # the header may follow a little junk (ISO 32000-1, 7.5.2 note)
        return FileKind.PDF
    if data.startswith(OLE2):
        if _utf16("WordDocument") in data:
            return FileKind.DOC
        if _utf16("Workbook") in data or _utf16("Book\x00") in data:
            return FileKind.XLS
        return None  # a PowerPoint, an Outlook message…
    if data.startswith(b"PK\x03\x04"):
        return _zipped(data)
    return None


def _zipped(data: bytes) -> FileKind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return FileKind.DOCX
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return FileKind.XLSX
            if "mimetype" in names:
                with z.open("mimetype") as m:
                    return FileKind.ODT if m.read(len(ODT_MIME) + 1).strip() == ODT_MIME else None
            if "[Content_Types].xml" in names:
                return None  # a presentation or another Office file, not a report
            return FileKind.ZIP
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None  # torn or not a zip at all
