"""`nhacviec calendar`: days off and make-up working days, stored in the database and applied at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from core.deadlines import to_vn, utcnow
from core.messages import short_day
from core.planning.calendar import DayKind, read_calendar_file
from core.types import OPERATOR
from core.usecases import calendar
from core.usecases.calendar import CalendarChange
from nhacviec.clikit import context, out, print_json, required_day, run

calendar_app = typer.Typer(
    help="Lịch làm việc (working-day calendar): ngày nghỉ, ngày làm bù; áp dụng ngay, không cần khởi động lại.",
    no_args_is_help=True,
)
KIND_VI = {DayKind.OFF: "nghỉ (off)", DayKind.WORKDAY: "làm bù (workday)", DayKind.NORMAL: "bình thường (normal)"}
ORIGIN_VI = {"holidays": "ngày lễ (holidays)", "shipped": "kèm phần mềm (shipped)", "admin": "Sở Nội vụ (admin)"}


def _report(change: CalendarChange) -> None:
    days = ", ".join(f"{short_day(d)}" for d in change.days)
    out.print(f"Đã cập nhật lịch (calendar updated): {days}.")
    if change.moved:
        out.print(
            f"Lời nhắc tiếp theo của {len(change.moved)} cơ quan đổi ngày ({', '.join(change.moved)}); "
            f"{change.told} tin báo đã xếp vào hàng gửi (notices queued)."
        )
    else:
        out.print("Không lời nhắc nào đổi ngày (no reminder moved).")


@calendar_app.command("list")
def list_cmd(
    year: Annotated[int | None, typer.Option("--year", help="Năm (year).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ngày lễ, ngày nghỉ hoán đổi, ngày làm bù (holidays, swapped days, make-up days)."""

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            found = await calendar.entries(uow, w.rules(), year, to_vn(utcnow()).date())
        if as_json:
            print_json(
                [
                    {
                        "day": e.day.isoformat(),
                        "kind": e.kind.value,
                        "reason": e.reason,
                        "source": e.source,
                        "origin": e.origin,
                    }
                    for e in found
                ]
            )
            return
        table = Table("Ngày (day)", "Loại (kind)", "Lý do (reason)", "Căn cứ (source)", "Nguồn (origin)")
        for e in found:
            table.add_row(f"{short_day(e.day)}", KIND_VI[e.kind], e.reason, e.source, ORIGIN_VI[e.origin])
        out.print(table)

    run(go())


@calendar_app.command("add-off")
def add_off_cmd(
    day: Annotated[str, typer.Argument(help="Ngày nghỉ (YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option("--reason", help="Lý do (reason).")],
    to: Annotated[str | None, typer.Option("--to", help="Đến ngày (last day, inclusive).")] = None,
    source: Annotated[str, typer.Option("--source", help="Văn bản căn cứ (document).")] = "",
) -> None:
    """Thêm ngày nghỉ (add days off); lời nhắc rơi vào đó chuyển sang ngày làm việc trước."""

    async def go() -> None:
        first = required_day(day, "DATE")
        last = required_day(to, "--to") if to else first
        async with context() as w, w.uows() as uow:
            change = await calendar.add_days(
                uow, OPERATOR, w.rules(), first, last, DayKind.OFF, reason, source, utcnow()
            )
            await uow.commit()
        _report(change)

    run(go())


@calendar_app.command("add-workday")
def add_workday_cmd(
    day: Annotated[str, typer.Argument(help="Ngày làm bù (YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option("--reason", help="Lý do (reason).")],
    source: Annotated[str, typer.Option("--source", help="Văn bản căn cứ (document).")] = "",
) -> None:
    """Thêm ngày làm bù (add a make-up working day, e.g. a Saturday)."""

    async def go() -> None:
        when = required_day(day, "DATE")
        async with context() as w, w.uows() as uow:
            change = await calendar.add_days(
                uow, OPERATOR, w.rules(), when, when, DayKind.WORKDAY, reason, source, utcnow()
            )
            await uow.commit()
        _report(change)

    run(go())


@calendar_app.command("remove")
def remove_cmd(day: Annotated[str, typer.Argument(help="Ngày (YYYY-MM-DD).")]) -> None:
    """Bỏ một thay đổi lịch (take a change back; a shipped swap that did not happen returns to the plain rule)."""

    async def go() -> None:
        when = required_day(day, "DATE")
        async with context() as w, w.uows() as uow:
            change = await calendar.remove_day(uow, OPERATOR, w.rules(), when, utcnow())
            await uow.commit()
        _report(change)

    run(go())


@calendar_app.command("import")
def import_cmd(path: Annotated[Path, typer.Argument(help="Tệp TOML với [[days_off]] và [[makeup_days]].")]) -> None:
    """Nạp các ngày của một tệp lịch (import a calendar file); mỗi ngày như add-off / add-workday."""

    async def go() -> None:
        days = read_calendar_file(path)
        async with context() as w, w.uows() as uow:
            changed = []
            for d in days:
                try:
                    changed.append(
                        await calendar.add_days(
                            uow, OPERATOR, w.rules(), d.day, d.day, d.kind, d.reason or "—", d.source, utcnow()
                        )
                    )
                except calendar.CalendarError:
                    continue  # already so: importing twice changes nothing
            await uow.commit()
        out.print(f"Đã nạp {len(changed)} ngày (days imported); {len(days) - len(changed)} ngày không đổi.")

    run(go())
