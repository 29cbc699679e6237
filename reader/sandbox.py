"""Plan documents are read in a box: a child process with limits on CPU time and memory and a wall-clock deadline,
the way a mail server scans attachments. A document somebody uploads may be built to be expensive (numbering
that starts at 999999999999, thirteen million empty paragraphs, a PDF whose page count lies, one stream of glyphs
shared by every page); inside the box the readers bound what they read at the source, and the box is the last line:
whatever a document does, the service keeps answering, and the document is refused in one line.

The child is a fresh interpreter (``python -m reader.box``): it inherits none of the service's threads, sockets or
event loop, sets its own limits before it reads a byte of the document, and answers JSON — the draft, or the
refusal's message — so the service never unpickles what a process that parsed a stranger's file says.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from core.reading.draft import ReadPlan
from core.reading.model import Draft
from core.reading.names import Known
from core.reading.source import Unreadable

ANSWER_LIMIT = 64 * 1024 * 1024  # bytes of JSON: a draft of a million characters of text is a few MB


@dataclass(frozen=True, slots=True)
class Limits:
    seconds: float = 30.0  # wall clock, and CPU time
    memory_mb: int = 1024  # address space of the child


def too_large(name: str, limits: Limits) -> str:
    return (
        f"{name}: đọc tệp cần quá {limits.memory_mb} MB bộ nhớ, tệp quá phức tạp "
        f"(reading it needs more than {limits.memory_mb} MB)"
    )


def too_long(name: str, limits: Limits) -> str:
    return f"{name}: đọc tệp quá {limits.seconds:g} giây, tệp quá phức tạp (reading it took over {limits.seconds:g} s)"


def request(data: bytes, filename: str, known: Sequence[Known], limits: Limits) -> bytes:
    """What the parent writes to the box's standard input: a JSON head line, then the document's bytes."""
    head = {"filename": filename, "known": [asdict(k) for k in known], "limits": asdict(limits), "size": len(data)}
    return json.dumps(head, ensure_ascii=False).encode() + b"\n" + data


def answer_of(raw: bytes, name: str) -> ReadPlan:
    """The box's JSON answer as a ReadPlan.

    Raises:
        Unreadable: the box refused the document, or answered nothing a draft can be made of.
    """
    try:
        found: dict[str, Any] = json.loads(raw)
        if found.get("refused"):
            raise Unreadable(str(found["refused"])[:2000])
        return ReadPlan(str(found["name"]), str(found["format"]), int(found["pages"]), Draft.from_json(found["draft"]))
    except (ValueError, TypeError, KeyError) as exc:
        raise Unreadable(f"{name}: không đọc được văn bản (the reader gave no answer)") from exc


def _box_environment() -> dict[str, str]:
    """What the box may see of the environment: enough to find Python and the readers, never the service's tokens,
    keys or database address (a parser a document exploits learns nothing worth having)."""
    kept = {k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "TMPDIR", "HOME")}
    return {**kept, "PYTHONDONTWRITEBYTECODE": "1"}


class BoxedReader:
    """Reads a plan document into a draft in a box (``core.usecases.drafting.PlanReader``)."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    async def __call__(self, data: bytes, filename: str, known: Sequence[Known]) -> ReadPlan:
        """The draft of the document.

        Raises:
            Unreadable: the document cannot be read, or reading it went over a limit; one line, nothing written.
        """
        name = filename or "tệp"
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "reader.box",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=_box_environment(),
            start_new_session=True,  # a Ctrl-C at the terminal goes to the service, which ends the box itself
            limit=ANSWER_LIMIT,
        )
        try:
            async with asyncio.timeout(self.limits.seconds):
                raw, _ = await child.communicate(request(data, filename, known, self.limits))
        except TimeoutError:
            raise Unreadable(too_long(name, self.limits)) from None
        finally:  # also when the caller is cancelled (the service stopping): the box does not outlive it
            if child.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                await child.wait()
        if child.returncode == -signal.SIGXCPU:
            raise Unreadable(too_long(name, self.limits))
        if child.returncode != 0 or not raw:  # died without a word: out of memory in C code
            raise Unreadable(too_large(name, self.limits))
        return answer_of(raw, name)
