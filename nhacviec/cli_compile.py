"""`nhacviec compile PERIOD --out DIR`: a period's documents from the database as it stands (issue 32): the sheet,
the report files in one .zip, the drafts of the compiled report and of the chasing letter."""

from __future__ import annotations

import os
import re
import tempfile
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from compiler import documents
from core.deadlines import utcnow
from core.types import OPERATOR
from core.usecases import compiling, report_files
from nhacviec.clikit import context, err, run, write_atomically


def compile_cmd(
    period: Annotated[str, typer.Argument(help='Kỳ: "46/KH-UBND thang:2023-04", thang:2023-04 hoặc nhãn.')],
    out_dir: Annotated[Path, typer.Option("--out", help="Thư mục ghi hồ sơ (the folder to write to).")],
) -> None:
    """Hồ sơ kỳ báo cáo: bảng tổng hợp (.xlsx), các tệp báo cáo (.zip), dự thảo báo cáo và công văn đôn đốc (.docx)
    (a period's documents)."""

    async def go() -> tuple[compiling.Compiled, Path]:
        async with context() as w, w.uows() as uow:
            made = await compiling.compile_period(uow, OPERATOR, period, utcnow(), w.rules())
            out_dir.mkdir(parents=True, exist_ok=True)  # only for a period that exists
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".nhacviec-", suffix=".zip")
            try:
                with os.fdopen(fd, "wb") as f:  # the files, read one at a time
                    await documents.period_zip(made, partial(report_files.content, uow, OPERATOR), f)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            return made, Path(tmp)

    made, zipped = run(go())
    p = made.period
    stem = re.sub(r"[^\w.-]+", "-", f"{p.plan_number}_{p.series_code}_{p.key}").strip("-")
    target = out_dir / f"{stem}_cac-tep-bao-cao.zip"
    os.replace(zipped, target)
    written = [target]
    for suffix, data in (
        ("bang-tong-hop.xlsx", documents.compilation_sheet(made)),
        ("du-thao-bao-cao.docx", documents.report_draft(made)),
        ("du-thao-cong-van-don-doc.docx", documents.chasing_letter(made)),
    ):
        target = out_dir / f"{stem}_{suffix}"
        write_atomically(target, data)
        written.insert(len(written) - 1 if suffix == "bang-tong-hop.xlsx" else len(written), target)
    for target in written:
        typer.echo(str(target))
    err.print(
        f"{p.label} ({p.plan_number}): {len(made.tally.rows)} cơ quan phải gửi; đúng hạn {len(made.tally.on_time)}, "
        f"gửi chậm {len(made.tally.late)}, chưa gửi {len(made.not_sent)}; {len(made.files)} tệp báo cáo; "
        f"đã ghi {len(written)} tệp vào {out_dir}"
    )
