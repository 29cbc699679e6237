"""`nhacviec compile PERIOD --out DIR`: a period's documents from the database as it stands (issue 32, in part)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from compiler import documents
from core.deadlines import utcnow
from core.types import OPERATOR
from core.usecases import compiling
from nhacviec.clikit import context, err, run, write_atomically


def compile_cmd(
    period: Annotated[str, typer.Argument(help='Kỳ: "46/KH-UBND thang:2023-04", thang:2023-04 hoặc nhãn.')],
    out_dir: Annotated[Path, typer.Option("--out", help="Thư mục ghi hồ sơ (the folder to write to).")],
) -> None:
    """Hồ sơ kỳ báo cáo: bảng tổng hợp (.xlsx), dự thảo báo cáo và công văn đôn đốc (.docx) (a period's documents)."""

    async def go() -> compiling.Compiled:
        async with context() as w, w.uows() as uow:
            return await compiling.compile_period(uow, OPERATOR, period, utcnow(), w.rules())

    made = run(go())
    out_dir.mkdir(parents=True, exist_ok=True)
    p = made.period
    stem = re.sub(r"[^\w.-]+", "-", f"{p.plan_number}_{p.series_code}_{p.key}").strip("-")
    written = []
    for suffix, data in (
        ("bang-tong-hop.xlsx", documents.compilation_sheet(made)),
        ("du-thao-bao-cao.docx", documents.report_draft(made)),
        ("du-thao-cong-van-don-doc.docx", documents.chasing_letter(made)),
    ):
        target = out_dir / f"{stem}_{suffix}"
        write_atomically(target, data)
        written.append(target)
    for target in written:
        typer.echo(str(target))
    err.print(
        f"{p.label} ({p.plan_number}): {len(made.tally.rows)} cơ quan phải gửi; đúng hạn {len(made.tally.on_time)}, "
        f"gửi chậm {len(made.tally.late)}, chưa gửi {len(made.not_sent)}; đã ghi {len(written)} tệp vào {out_dir}"
    )
