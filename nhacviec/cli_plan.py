"""`nhacviec plan draft`: a plan document (.docx, .pdf, .txt, .html) → a draft plan file to check and import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from core.messages import short_day
from core.reading.source import MAX_DOCUMENT_BYTES, Unreadable
from core.types import OPERATOR
from core.usecases import drafting
from nhacviec.clikit import CliError, context, err, print_json, run, styled, write_atomically
from reader import FORMATS, megabytes
from reader.sandbox import BoxedReader, Limits

plan_app = typer.Typer(help="Kế hoạch (plans): đọc văn bản kế hoạch thành bản nháp.", no_args_is_help=True)


@plan_app.command("draft")
def draft_cmd(
    path: Annotated[Path, typer.Argument(help=f"Văn bản kế hoạch ({FORMATS}).")],
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Ghi bản nháp (TOML) vào tệp này (write the draft here).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON (print JSON).")] = False,
) -> None:
    """Đọc văn bản kế hoạch, lập bản nháp tệp kế hoạch (draft a plan file from a plan document).

    Exit 0 with a draft, even a partial one (what could not be decided is listed at its top); exit 2 with one
    line when the document cannot be read or holds nothing to draft from. Nothing is written to the database.
    """
    data = _document(path)

    async def go() -> drafting.Drafted:
        async with context() as w, w.uows() as uow:
            rules = w.rules()
            read = BoxedReader(Limits(rules.reading_seconds, rules.reading_memory_mb))
            try:
                return await drafting.draft_document(uow, OPERATOR, read, data, path.name)
            except Unreadable as exc:
                raise CliError(exc.message, 2) from None

    drafted = run(go())
    d = drafted.draft
    name = d.source_name or path.name
    if out_path is not None:
        _write(out_path, drafted.plan_file)
    if as_json:
        print_json(
            {**d.to_json(with_text=False), "loads": drafted.loads, "plan_file": str(out_path) if out_path else None}
        )
    elif out_path is None:
        typer.echo(drafted.plan_file, nl=False)
    summary = (
        f"Đã đọc {name}: số {d.number or '?'}, ngày {short_day(d.issued_on)}"
        if d.issued_on
        else f"Đã đọc {name}: số {d.number or '?'}"
    )
    summary += f"; {len(d.tasks)} nhiệm vụ, {len(d.series)} chế độ báo cáo"
    summary += f"; {len(d.problems)} điểm cần kiểm tra (to check)" if d.problems else "; không có điểm nào cần kiểm tra"
    if out_path is not None:
        summary += f"; bản nháp ghi vào {out_path}"
    err.print(summary)


def _document(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError:
        raise_exit(f"{path}: không tìm thấy hoặc không mở được tệp (cannot open the file)")
    if not path.is_file():
        raise_exit(f"{path}: không phải một tệp (not a file)")
    if size > MAX_DOCUMENT_BYTES:
        raise_exit(
            f"{path.name}: tệp nặng {megabytes(size)} MB, quá giới hạn {MAX_DOCUMENT_BYTES // 1_000_000} MB "
            f"(the file is {size:,} bytes; at most {MAX_DOCUMENT_BYTES:,})"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise_exit(f"{path}: không đọc được tệp ({exc.strerror}) (cannot read the file)")


def raise_exit(message: str) -> NoReturn:
    err.print(styled("Lỗi (error):", "red", message))
    raise typer.Exit(2)


def _write(target: Path, text: str) -> None:
    """Write the draft whole or not at all."""
    try:
        write_atomically(target, text.encode("utf-8"))
    except CliError as exc:
        raise_exit(str(exc))
