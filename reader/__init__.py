"""Plan documents → the pieces of text ``core.reading`` drafts a plan from: a .docx, a PDF with a text layer, plain
text or an HTML page as copied from a portal. What the file is comes from its bytes, not its name; whatever is
wrong with it (damaged, locked, a scan, too large, an old .doc) is an ``Unreadable`` with a message in Vietnamese
and English, never a traceback."""

from __future__ import annotations

from pathlib import PurePath

from core.reading.source import MAX_DOCUMENT_BYTES, Kind, Piece, Source, Unreadable

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 (.doc) and other old Office files
FORMATS = ".docx, .pdf, .txt, .html"


def read_document(data: bytes, filename: str) -> Source:
    """The text of a plan document.

    Raises:
        Unreadable: nothing can be read from it; the message says why in one line.
    """
    name = PurePath(filename or "tệp").name[:120] or "tệp"
    suffix = PurePath(name).suffix.lower()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise Unreadable(
            f"{name}: tệp nặng {megabytes(len(data))} MB, quá giới hạn {MAX_DOCUMENT_BYTES // 1_000_000} MB "
            f"(the file is {len(data):,} bytes; at most {MAX_DOCUMENT_BYTES:,})"
        )
    if not data.strip():
        raise Unreadable(f"{name}: tệp trống (the file is empty)")
    try:
        return _read(data, name, suffix)
    except Unreadable:
        raise
    except (MemoryError, RecursionError) as exc:
        raise Unreadable(f"{name}: tệp quá phức tạp để đọc (the file is too complex to read)") from exc
    except Exception as exc:  # a parser's own error on a damaged file: the file's fault, said as such
        raise Unreadable(f"{name}: tệp bị hỏng, không đọc được ({type(exc).__name__}) (a damaged file)") from exc


def megabytes(n: int) -> str:
    """ "21,0": megabytes as Vietnamese writes a decimal."""
    return f"{n / 1e6:.1f}".replace(".", ",")


def _read(data: bytes, name: str, suffix: str) -> Source:
    if data.startswith(OLE2):
        raise Unreadable(
            f"{name}: tệp Word 97-2003 (.doc) chưa đọc được; hãy lưu lại thành .docx rồi gửi "
            "(an old .doc file: save it as .docx)"
        )
    if b"%PDF-" in data[:1024]:
        from reader.pdf import pdf_pieces

        pieces, pages = pdf_pieces(data, name)
        return Source(name, "pdf", tuple(pieces), pages)
    if data.startswith(b"PK\x03\x04"):
        from reader.word import docx_pieces

        return Source(name, "docx", tuple(docx_pieces(data, name)))
    if suffix == ".pdf":
        raise Unreadable(f"{name}: tệp có đuôi .pdf nhưng không phải PDF (named .pdf but not a PDF)")
    if suffix == ".docx":
        raise Unreadable(f"{name}: tệp có đuôi .docx nhưng không phải văn bản Word (named .docx but not a Word file)")
    if suffix and suffix not in (".txt", ".html", ".htm", ".text", ""):
        raise Unreadable(f"{name}: chỉ đọc được tệp {FORMATS} (only {FORMATS} files are read)")
    from reader.text import decode, looks_like_html, pieces_of_html, pieces_of_text

    text = decode(data, name)
    if suffix in (".html", ".htm") or looks_like_html(text):
        return Source(name, "html", tuple(pieces_of_html(text)))
    return Source(name, "txt", tuple(pieces_of_text(text)))


__all__ = ["FORMATS", "Kind", "Piece", "Source", "Unreadable", "megabytes", "read_document"]
