"""`nhacviec province load`: a province's agencies from the official registry."""

from __future__ import annotations

from typing import Annotated

import typer

from core import registry
from core.types import OPERATOR
from core.usecases import province
from nhacviec.clikit import KIND_VI, context, out, print_json, required_day, run

province_app = typer.Typer(help="Tỉnh, thành phố: nạp danh mục cơ quan chính thức (load a province's agencies).")


@province_app.command("load")
def load_cmd(
    name: Annotated[str, typer.Argument(help='Tên tỉnh, thành phố, ví dụ "Tuyên Quang" (one of the 34).')],
    from_day: Annotated[
        str, typer.Option("--from", help="Có hiệu lực từ ngày (effective from), YYYY-MM-DD, từ 2025-07-01.")
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ liệt kê, không ghi (list, write nothing).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON (print JSON).")] = False,
) -> None:
    """Nạp các sở, ban, ngành năm 2025 và các xã, phường của tỉnh theo danh mục chính thức, theo thứ tự chính thức;
    ghi nhận cơ quan cũ đã sáp nhập, chia tách (load the 2025 departments and communes; record mergers and splits).
    Chạy lại không nhân đôi (idempotent)."""
    day = required_day(from_day, "--from")

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            report = await province.load(uow, OPERATOR, name, day, dry_run)
            if not dry_run:
                await uow.commit()
        if as_json:
            print_json(
                {
                    "province": report.province,
                    "dry_run": dry_run,
                    "added": [
                        {"code": a.code, "name": a.name, "kind": a.kind.value, "order": a.position}
                        for a in report.added
                    ],
                    "placed": [p.code for p in report.placed],
                    "ended": [
                        {"code": e.code, "name": e.name, "on": e.on.isoformat(), "into": list(e.into)}
                        for e in report.ended
                    ],
                    "unchanged": report.unchanged,
                    "source": registry.source(),
                }
            )
            return
        verb = "sẽ" if dry_run else "đã"
        if not report.changed:
            out.print(
                f"{report.province}: không có thay đổi (no changes); {report.unchanged} cơ quan đã đúng danh mục."
            )
            return
        kinds = {k: n for k in KIND_VI if (n := sum(1 for a in report.added if a.kind is k))}
        added = "; ".join(f"{n} {KIND_VI[k]}" for k, n in kinds.items()) or "0 cơ quan"
        out.print(
            f"{report.province}: {verb} thêm {added} (added); {verb} xếp lại thứ tự {len(report.placed)} cơ quan."
        )
        for e in report.ended:
            how = "sáp nhập vào" if len(e.into) == 1 else f"chia tách, {len(e.into)} cơ quan tiếp nhận:"
            out.print(f"  {e.code} ({e.name}) {how} {', '.join(e.into)} từ {e.on.day}/{e.on.month}/{e.on.year}")
        if dry_run:
            out.print("Chưa ghi gì (dry run: nothing written).")

    run(go())
