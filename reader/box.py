"""The reader's box (``python -m reader.box``), started by ``reader.sandbox.BoxedReader``: sets its limits, reads
one document from standard input (a JSON head line, then the bytes), drafts it, and writes one JSON answer to
standard output — ``{"name", "format", "pages", "draft"}`` or ``{"refused": message}``."""

from __future__ import annotations

import json
import resource
import sys
from typing import Any


def _limit(seconds: float, memory_mb: int) -> None:
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = max(1, int(seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def answer(stdin: Any) -> dict[str, Any]:
    head = json.loads(stdin.readline())
    limits = head["limits"]
    _limit(float(limits["seconds"]), int(limits["memory_mb"]))
    data = stdin.read(int(head["size"]))
    name = str(head["filename"] or "tệp")
    # Imported once the limits hold: what the readers allocate counts too. A box whose limit cannot hold the
    # readers themselves refuses as out of memory (not as a damaged file, which an ImportError would read as).
    from reader.sandbox import Limits, too_large

    try:
        import docx  # noqa: F401
        import pdfplumber  # noqa: F401
        import pypdfium2  # noqa: F401
    except (ImportError, MemoryError):
        return {"refused": too_large(name, Limits(**limits))}
    from core.reading.draft import read_plan
    from core.reading.names import Known
    from core.reading.source import Unreadable
    from core.types import AgencyKind
    from reader import read_document

    known = [Known(k["code"], k["name"], AgencyKind(k["kind"]), tuple(k["former"])) for k in head["known"]]
    try:
        read = read_plan(read_document(data, name), known)
    except Unreadable as exc:
        return {"refused": exc.message}
    except MemoryError:
        return {"refused": too_large(name, Limits(**limits))}
    except RecursionError:
        return {"refused": f"{name}: tệp lồng nhau quá sâu, không đọc được (the file nests too deep)"}
    except Exception as exc:  # a parser's own error on a damaged file: the file's fault, said as such
        return {"refused": f"{name}: không đọc được văn bản ({type(exc).__name__}) (the document could not be read)"}
    return {"name": read.name, "format": read.format, "pages": read.pages, "draft": read.draft.to_json(with_text=True)}


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: of this program, not of the process it was forked from)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> int:
    found = answer(sys.stdin.buffer)
    found["peak_mb"] = round(_peak_mb(), 1)
    sys.stdout.buffer.write(json.dumps(found, ensure_ascii=False).encode())
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
