"""A period's file (issue 32): report files kept and a period compiled, on SQLite, with the content in the database
(the default) and in a directory (REPORT_FILES_DIR).

For each storage and file size: the 24 agencies of plan 46 each send one report file for April 2023 through the
use-case the dashboard and the CLI call (``report_files.deliver``: judged by content, hashed, stored, confirmed);
then the period is compiled as ``nhacviec compile`` does it — the sheet, the two drafts and the .zip of every file
written to a temporary file, each file read when it is written. Prints the seconds per file kept, the seconds to
compile, the .zip's size and the peak of Python's memory during the compilation (tracemalloc), which shows
whether the files are held all at once (the .zip would then cost their total) or one at a time.

Run: .venv/bin/python bench/period_file.py. Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler import documents  # noqa: E402
from core.deadlines import VN_TZ  # noqa: E402
from core.planfile import load_plan_file  # noqa: E402
from core.types import OPERATOR  # noqa: E402
from core.usecases import compiling, plan, report_files  # noqa: E402
from core.usecases.plan import import_plan  # noqa: E402
from core.usecases.rules import Rules  # noqa: E402
from models import db  # noqa: E402
from models.uow import uow_factory  # noqa: E402

PLAN_46 = ROOT / "plans" / "46-KH-UBND-2023.toml"
SIZES_MB = (0.5, 5.0)
AT = datetime(2023, 4, 12, 9, 0, tzinfo=VN_TZ)


def report(n: int, size: int) -> bytes:
    """A PDF-headed file of ``size`` bytes whose body does not compress (a scanned report's images)."""
    return b"%PDF-1.4\n" + os.urandom(size - 9 - n % 7)


async def one(size_mb: float, in_directory: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        engine = db.make_engine(f"sqlite+aiosqlite:///{path}", create=True)
        try:
            await db.upgrade(engine)
            uows = uow_factory(db.session_factory(engine), Path(tmp) / "files" if in_directory else None)
            async with uows() as uow:
                await import_plan(uow, OPERATOR, load_plan_file(PLAN_46))
                await uow.commit()
            async with uows() as uow:
                april = await plan.period(uow, "thang:2023-04", AT)
                owing = [a for a in await uow.agencies.all() if await uow.periods.owes(a.id, april.id)]
            size = int(size_mb * 1024 * 1024)
            files = [report(n, size) for n in range(len(owing))]
            started = time.perf_counter()
            for n, (agency, data) in enumerate(zip(owing, files, strict=True)):
                async with uows() as uow:
                    await report_files.deliver(
                        uow, OPERATOR, agency.id, april.id, f"bc-{n}.pdf", data, AT, Rules(), "cli", f"{n}/BC"
                    )
                    await uow.commit()
            kept = (time.perf_counter() - started) / len(owing)
            started = time.perf_counter()
            async with uows() as uow:  # the same file again: found by its hash, nothing written
                await report_files.receive(uow, OPERATOR, owing[0].id, april.id, "bc.pdf", files[0], AT, Rules(), "cli")
            again = time.perf_counter() - started
            del files
            tracemalloc.start()
            started = time.perf_counter()
            async with uows() as uow:
                made = await compiling.compile_period(uow, OPERATOR, april.id, datetime(2023, 4, 20, tzinfo=VN_TZ),
                                                      Rules())  # fmt: skip
                documents.compilation_sheet(made)
                documents.report_draft(made)
                documents.chasing_letter(made)
                with open(Path(tmp) / "files.zip", "wb") as out:
                    count = await documents.period_zip(made, partial(report_files.content, uow, OPERATOR), out)
            compiled = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            zipped = (Path(tmp) / "files.zip").stat().st_size
            assert count == len(owing)
            return {
                "files": count,
                "kept": kept,
                "again": again,
                "compiled": compiled,
                "zip_mib": zipped / 2**20,
                "peak_mib": peak / 2**20,
                "db_mib": path.stat().st_size / 2**20,
            }
        finally:
            await engine.dispose()


async def main() -> None:
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    print("| storage | file MB | files | s per file kept | s same file again | s to compile | .zip MiB | peak MiB "
          "compiling | database MiB |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for in_directory in (False, True):
        for size_mb in SIZES_MB:
            r = await one(size_mb, in_directory)
            where = "directory" if in_directory else "database"
            print(f"| {where} | {size_mb} | {r['files']:.0f} | {r['kept']:.3f} | {r['again']:.3f} | "
                  f"{r['compiled']:.2f} | {r['zip_mib']:.1f} | {r['peak_mib']:.1f} | {r['db_mib']:.1f} |")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
