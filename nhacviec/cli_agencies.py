"""`nhacviec agencies`: the list with what each agency owes and its lineage; rename, merge, dissolve."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from core.deadlines import utcnow
from core.messages import short_day
from core.types import OPERATOR, Agency
from core.usecases import people, plan, province
from nhacviec.clikit import KIND_VI, context, out, print_json, required_day, run

agencies_app = typer.Typer(
    help="Cơ quan, đơn vị (agencies): danh sách, đổi tên, sáp nhập, chia tách, giải thể.", invoke_without_command=True
)

FROM_HELP = "Có hiệu lực từ ngày (effective from), YYYY-MM-DD."


def _json(a: Agency, owes: list[str]) -> dict[str, object]:
    return {
        "code": a.code,
        "name": a.name,
        "kind": a.kind.value,
        "active": a.active,
        "owes": owes,
        "ended_on": a.ended_on.isoformat() if a.ended_on else None,
        "successor": a.successor,
        "successors": list(a.successors),
        "order": a.position,
        "province": a.province,
        "former_names": [{"name": n, "until": u.isoformat()} for n, u in a.former_names],
    }


def _lineage(a: Agency) -> str:
    parts = [f"trước {short_day(u)}: {n}" for n, u in a.former_names]
    if a.ended_on:
        if a.successor:
            end = f"sáp nhập vào {a.successor}"
        elif a.successors:
            end = f"chia tách vào {', '.join(a.successors)}"
        else:
            end = "giải thể"
        parts.append(f"{end} từ {short_day(a.ended_on)}")
    return "; ".join(parts)


@agencies_app.callback()
def agencies_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON (print JSON).")] = False,
    include_inactive: Annotated[
        bool, typer.Option("--all", help="Cả cơ quan đã ngừng, sáp nhập, giải thể, với lịch sử (lineage).")
    ] = False,
    unregistered: Annotated[
        bool,
        typer.Option(
            "--unregistered",
            help="Chỉ cơ quan còn phải báo cáo mà chưa có cán bộ đầu mối nhận được tin (no focal person to remind).",
        ),
    ] = False,
) -> None:
    """Danh sách cơ quan, đơn vị và các kỳ báo cáo mỗi cơ quan phải nộp (list agencies and what they owe)."""
    if ctx.invoked_subcommand is not None:
        return
    if unregistered:
        _unregistered(as_json)
        return

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            found = await plan.agencies(uow, include_inactive)
            owes = await plan.owed_series(uow)
        if as_json:
            print_json([_json(a, owes.get(a.id, [])) for a in found])
            return
        table = Table("Mã (code)", "Tên (name)", "Loại (kind)", "Phải nộp (owes)")
        if include_inactive:
            table.add_column("Lịch sử (lineage)")
        for a in found:
            row = [a.code, a.name, KIND_VI[a.kind] + ("" if a.active else " — ngừng"), _owes(owes.get(a.id, []))]
            table.add_row(*row, *([_lineage(a)] if include_inactive else []))
        out.print(table)

    run(go())


def _unregistered(as_json: bool) -> None:
    """The agencies owing reports to come that no focal person can be reminded at (as the dashboard lists them)."""

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            found = await people.unreached(uow, OPERATOR, utcnow())
        if as_json:
            print_json(
                [
                    {"code": u.agency.code, "name": u.agency.name, "kind": u.agency.kind.value, "blocked": u.blocked}
                    for u in found
                ]
            )
            return
        table = Table("Mã (code)", "Tên (name)", "Loại (kind)", "Tình trạng (why)")
        for u in found:
            why = "cán bộ đầu mối đã chặn tin nhắn" if u.blocked else "chưa có cán bộ đầu mối đăng ký"
            table.add_row(u.agency.code, u.agency.name, KIND_VI[u.agency.kind], why)
        out.print(table)
        out.print(f"{len(found)} cơ quan chưa có cán bộ đầu mối nhận được tin nhắc (no focal person to remind).")

    run(go())


def _owes(series: list[str]) -> str:
    return ", ".join(s.split(":", 1)[1] for s in series) or "—"


@agencies_app.command("rename")
def rename_cmd(
    code: Annotated[str, typer.Argument(help="Mã cơ quan (agency code).")],
    name: Annotated[str, typer.Option("--name", help="Tên mới (new name).")],
    from_day: Annotated[str, typer.Option("--from", help=FROM_HELP)],
) -> None:
    """Đổi tên cơ quan từ một ngày; các kỳ trước ngày đó giữ tên cũ (rename from a date; history keeps the old name)."""

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            a = await plan.rename_agency(uow, OPERATOR, code, name, required_day(from_day, "--from"))
            await uow.commit()
        out.print(f"{a.code}: {a.former_names[-1][0]} → {a.name} (từ {short_day(a.former_names[-1][1])})")

    run(go())


@agencies_app.command("merge")
def merge_cmd(
    code: Annotated[str, typer.Argument(help="Mã cơ quan được sáp nhập (the agency merged).")],
    into: Annotated[str, typer.Option("--into", help="Mã cơ quan tiếp nhận (the successor's code).")],
    from_day: Annotated[str, typer.Option("--from", help=FROM_HELP)],
) -> None:
    """Sáp nhập cơ quan vào cơ quan khác từ một ngày (merge into another agency from a date)."""

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            a = await plan.end_agency(uow, OPERATOR, code, required_day(from_day, "--from"), into)
            await uow.commit()
        since = short_day(a.ended_on) if a.ended_on else from_day
        out.print(f"{a.code} ({a.name}) sáp nhập vào {a.successor} từ {since} (merged).")

    run(go())


@agencies_app.command("dissolve")
def dissolve_cmd(
    code: Annotated[str, typer.Argument(help="Mã cơ quan (agency code).")],
    from_day: Annotated[str, typer.Option("--from", help=FROM_HELP)],
) -> None:
    """Giải thể (kết thúc hoạt động) cơ quan từ một ngày (dissolve from a date)."""

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            a = await plan.end_agency(uow, OPERATOR, code, required_day(from_day, "--from"))
            await uow.commit()
        out.print(f"{a.code} ({a.name}) giải thể từ {short_day(a.ended_on) if a.ended_on else from_day} (dissolved).")

    run(go())


@agencies_app.command("split")
def split_cmd(
    code: Annotated[str, typer.Argument(help="Mã cơ quan được chia tách (the agency split).")],
    into: Annotated[str, typer.Option("--into", help="Mã các cơ quan tiếp nhận, cách nhau dấu phẩy: SNV,SYT,SGDDT.")],
    from_day: Annotated[str, typer.Option("--from", help=FROM_HELP)],
    takes: Annotated[
        str | None,
        typer.Option(
            "--takes",
            help="Cơ quan nhận nhiệm vụ và chế độ báo cáo của cơ quan cũ (mặc định: tất cả cơ quan tiếp nhận).",
        ),
    ] = None,
) -> None:
    """Chia tách cơ quan vào nhiều cơ quan từ một ngày (split among several agencies from a date).

    Cơ quan cũ không phải nộp kỳ nào đến hạn từ ngày đó; các kỳ trước giữ tên cũ. Các cơ quan nhận (--takes, mặc
    định tất cả) phải nộp các chế độ báo cáo và nhận các nhiệm vụ của cơ quan cũ từ ngày đó."""
    codes = [c for c in into.split(",") if c.strip()]
    takers = [c.strip().upper() for c in takes.split(",") if c.strip()] if takes else None

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            a = await province.split(uow, OPERATOR, code, codes, required_day(from_day, "--from"), takers)
            await uow.commit()
        since = short_day(a.ended_on) if a.ended_on else from_day
        out.print(f"{a.code} ({a.name}) chia tách vào {', '.join(a.successors)} từ {since} (split).")

    run(go())
