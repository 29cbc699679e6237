"""The `nhacviec` command line (Typer). Operators read Vietnamese with English in parentheses."""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table
from rich.text import Text

from bot.telegram.links import invite_links
from core import bundles, messages, vietnamese
from core.deadlines import MAX_YEAR, MIN_YEAR, end_of_day, start_of_day, to_vn, utcnow
from core.errors import FileRefused
from core.export import invites_workbook
from core.i18n import format_day, format_instant
from core.plandiff import CHANGE_VI
from core.planfile import PlanFileError, load_plan_file
from core.planning.calendar import CalendarFileError
from core.planning.planner import PointKind
from core.types import OPERATOR, Role, Standing
from core.usecases import (
    accounts,
    inbound,
    overview,
    plan,
    quota,
    reminders,
    report_files,
    submissions,
    web_access,
)
from core.usecases.rules import effective_rules
from nhacviec.cli_agencies import agencies_app
from nhacviec.cli_calendar import calendar_app
from nhacviec.cli_compile import compile_cmd
from nhacviec.cli_files import files_app
from nhacviec.cli_people import people_app
from nhacviec.cli_plan import plan_app
from nhacviec.cli_province import province_app
from nhacviec.clikit import (
    ROLE_VI,
    CliError,
    context,
    day,
    err,
    iso,
    out,
    parse_duration,
    print_json,
    run,
    settings_refused,
    styled,
    write_atomically,
)
from nhacviec.config import load_settings
from nhacviec.wiring import SchemaOutOfDate

MAX_PREVIEW_DAYS = 5 * 366
STANDING_SHOWN = {
    Standing.ON_TIME: ("đúng hạn", "green"),
    Standing.LATE: ("nộp muộn", "yellow"),
    Standing.MISSING: ("chưa nộp — quá hạn", "red"),
    Standing.NOT_DUE: ("chưa nộp", ""),
}
POINT_VI = {
    PointKind.BEFORE: "nhắc trước hạn",
    PointKind.DUE: "nhắc ngày hạn chót",
    PointKind.OVERDUE: "đôn đốc quá hạn",
    PointKind.ESCALATION: "báo lãnh đạo",
    PointKind.DIGEST: "tổng hợp cho Sở Nội vụ",
}

app = typer.Typer(
    help="nhacviec — nhắc việc báo cáo theo kế hoạch (report reminders for government plans).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Cơ sở dữ liệu (database).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(agencies_app, name="agencies")
app.add_typer(calendar_app, name="calendar")
app.add_typer(plan_app, name="plan")
app.add_typer(province_app, name="province")
app.add_typer(people_app, name="people")
app.add_typer(files_app, name="files")
app.command("compile")(compile_cmd)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Nâng cấp cấu trúc cơ sở dữ liệu lên bản mới nhất (apply migrations)."""

    async def go() -> None:
        async with context(check_schema=False) as w:
            before, after = await w.upgrade()
        out.print(f"Cơ sở dữ liệu (database): {before or 'trống (empty)'} → {after}")

    run(go())


@app.command("import-plan")
def import_plan_cmd(
    path: Annotated[Path, typer.Argument(help="Tệp kế hoạch TOML (plan file).")],
    update_agencies: Annotated[
        bool,
        typer.Option(
            "--update-agencies",
            help="Cho phép đổi tên, loại của cơ quan mà kế hoạch khác đang dùng (change agencies other plans use).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ cho biết sẽ thay đổi gì, không ghi (say what would change).")
    ] = False,
) -> None:
    """Kiểm tra rồi nạp một tệp kế hoạch (validate, then import a plan file)."""

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            try:
                spec = load_plan_file(path, registry=await plan.registered(uow))
            except PlanFileError as exc:
                raise CliError(
                    "tệp kế hoạch không hợp lệ, chưa ghi gì (invalid plan file, nothing written):\n" + str(exc), 2
                ) from exc
            if dry_run:
                report = await plan.preview(uow, OPERATOR, spec, update_agencies)
            else:
                report = await plan.import_plan(uow, OPERATOR, spec, update_agencies)
                await uow.commit()
        if not report.changed:
            out.print(f"Kế hoạch {spec.number}: không có thay đổi (no changes).")
        else:
            done = "sẽ thay đổi, chưa ghi gì (would change; nothing written)" if dry_run else "đã nạp (imported)"
            out.print(f"Kế hoạch {spec.number} {done}:")
            for what, n in sorted(report.changes.items()):
                out.print(f"  {CHANGE_VI.get(what, what)}: {n} ({what})")
        kept = "sẽ giữ lại kỳ (would keep)" if dry_run else "giữ lại kỳ (kept)"
        for label in report.kept_periods:
            err.print(styled(f"{kept.capitalize()} {label!r} vì đã có báo cáo nộp (it holds submissions).", "yellow"))
        for note in report.notes:
            out.print(f"  {note}")

    run(go())


def _codes(found: object) -> str:
    codes = list(found) if isinstance(found, list) else []
    return ", ".join(codes) if len(codes) <= 4 else f"{len(codes)} cơ quan"


@app.command("tasks")
def tasks_cmd(
    agency: Annotated[str | None, typer.Option("--agency", help="Mã cơ quan (agency code).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Nhiệm vụ kế hoạch giao (tasks), theo cơ quan nếu có --agency."""

    async def go() -> None:
        items: list[dict[str, object]]
        async with context() as w, w.uows() as uow:
            if agency is None:
                items = [
                    {
                        "plan": x.plan_number,
                        "ref": x.ref,
                        "title": x.title,
                        "text": x.text,
                        "paragraph": x.paragraph,
                        "lead": list(x.lead),
                        "coordinate": list(x.coordinate),
                        "carry_out": list(x.carry_out),
                    }
                    for x in await plan.all_tasks(uow)
                ]
            else:
                a = await plan.agency(uow, agency)
                items = [
                    {
                        "plan": x.plan_number,
                        "ref": x.ref,
                        "paragraph": x.paragraph,
                        "title": x.title,
                        "text": x.text,
                        "role": x.role.value,
                    }
                    for x in await plan.tasks_of(uow, a.id)
                ]
        if as_json:
            print_json(items)
            return
        table = Table("Mục (ref)", "Nhiệm vụ (task)", "Vai trò (role)" if agency else "Cơ quan (agencies)")
        for x in items:
            ref = messages.ref_label("vi", str(x["ref"]), int(str(x["paragraph"])))
            if agency:
                who = ROLE_VI[str(x["role"])]
            else:
                who = "; ".join(f"{ROLE_VI[r]}: {_codes(x[r])}" for r in ("lead", "coordinate", "carry_out") if x[r])
            table.add_row(ref, str(x["title"]), who)
        out.print(table)

    run(go())


@app.command("periods")
def periods_cmd(
    date_from: Annotated[str | None, typer.Option("--from", help="Hạn từ ngày (due from), YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Hạn đến ngày (due until), YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Các kỳ báo cáo và hạn chót (report periods and deadlines)."""

    async def go() -> None:
        start, end = day(date_from, "--from"), day(date_to, "--to")
        async with context() as w, w.uows() as uow:
            rows = await plan.periods(uow, start_of_day(start) if start else None, end_of_day(end) if end else None)
            deadlines = (await effective_rules(uow, w.rules())).deadlines
        if as_json:
            print_json(
                [
                    {
                        "label": p.label,
                        "series": p.series_code,
                        "key": p.key,
                        "plan": p.plan_number,
                        "opens_at": iso(p.opens_at),
                        "due_at": iso(p.due_at),  # the last day as the plan words it
                        "extended_to": str(ext) if (ext := deadlines.extended_to(p.due_at)) else None,  # Điều 148
                        "data_from": str(p.data_from) if p.data_from else None,
                        "data_to": str(p.data_to) if p.data_to else None,
                        "wording": p.wording,
                    }
                    for p in rows
                ]
            )
            return
        table = Table("Kỳ (period)", "Hạn chót (due)", "Kéo dài đến (Điều 148)", "Theo văn bản (wording)")
        for p in rows:
            ext = deadlines.extended_to(p.due_at)
            shown = bundles.short_name("vi", p.label, p.plan_number)
            table.add_row(shown, format_instant(p.due_at), format_day(ext) if ext else "", p.wording)
        out.print(table)

    run(go())


@app.command("invite")
def invite_cmd(
    agency: Annotated[
        str,
        typer.Argument(
            help="Mã cơ quan (agency code); hoặc một nhóm (@communes, @departments…) hay nhiều mã cách dấu phẩy."
        ),
    ],
    role: Annotated[
        Role, typer.Option("--role", help="focal (đầu mối) | leader (lãnh đạo) | admin (quản trị)")
    ] = Role.FOCAL,
    expires: Annotated[str | None, typer.Option("--expires", help="Hiệu lực (valid for), ví dụ 7d, 48h.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Họ và tên người nhận mã (full name).")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Chức vụ (position), ví dụ 'Chuyên viên'.")] = None,
    admin_elsewhere: Annotated[
        bool,
        typer.Option(
            "--admin-elsewhere",
            help="Cho phép mã quản trị cho cơ quan khác ADMIN_AGENCY (allow an admin code for another agency).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Nhóm cơ quan: ghi các mã vào tệp Excel này (a group: write the codes here)."),
    ] = None,
) -> None:
    """Tạo mã đăng ký dùng một lần cho một người (create a single-use registration code for a person); cho một
    nhóm cơ quan, mỗi cơ quan một mã, ghi ra tệp Excel (a group: one code per agency, in a workbook)."""
    if agency.strip().startswith("@") or "," in agency:
        _invite_many(agency, role, expires, out_path, as_json)
        return
    if out_path is not None:
        raise typer.BadParameter("--out chỉ dùng cho một nhóm cơ quan (only for a group)", param_hint="--out")

    async def go() -> None:
        async with context() as w:
            valid = parse_duration(expires) if expires else timedelta(days=w.settings.invite_default_days)
            if valid <= timedelta(0):
                raise CliError("--expires phải dương (must be positive)", 2)
            async with w.uows() as uow:
                a = await plan.agency(uow, agency)
                inv = await accounts.create_invite(
                    uow,
                    OPERATOR,
                    a.code,
                    role,
                    utcnow(),
                    replace(w.rules(), invite_ttl=valid),
                    name,
                    title,
                    admin_elsewhere,
                )
                await uow.commit()
            link = invite_links(w.settings.telegram_bot_username)(inv.code)
        if as_json:
            obj: dict[str, object] = {
                "code": inv.code,
                "agency": inv.agency_code,
                "role": inv.role.value,
                "expires_at": iso(inv.expires_at),
                "name": inv.person_name,
                "title": inv.person_title,
            }
            if link:
                obj["link"] = link
            print_json(obj)
            return
        out.print(Text.assemble("Mã đăng ký (code): ", (inv.code, "bold")))
        who = f"{inv.person_name}, {inv.person_title}" if inv.person_title else inv.person_name
        out.print(
            f"Người nhận: {who}" if who else "Người nhận: chưa ghi tên (no name given: the chat nickname is used)"
        )
        role_vi = messages.person_role("vi", inv.role)
        out.print(f"Cơ quan: {a.name} — vai trò: {role_vi} — hết hạn: {format_instant(inv.expires_at)}")
        out.print(f"Gửi bot tin nhắn (send the bot): /dangky {inv.code}")
        if link:
            out.print(f"Liên kết Telegram: {link}")

    run(go())


def _invite_many(said: str, role: Role, expires: str | None, out_path: Path | None, as_json: bool) -> None:
    """One code per agency of a group or list, all in one transaction, written to a workbook."""
    if out_path is None and not as_json:
        raise typer.BadParameter("một nhóm cơ quan cần --out invites.xlsx (a group needs --out)", param_hint="--out")
    if out_path is not None and out_path.suffix.lower() != ".xlsx":
        raise typer.BadParameter("tệp phải có đuôi .xlsx (an Excel workbook)", param_hint="--out")

    async def go() -> None:
        async with context() as w:
            valid = parse_duration(expires) if expires else w.rules().group_invite_ttl
            if valid <= timedelta(0):
                raise CliError("--expires phải dương (must be positive)", 2)
            now = utcnow()
            async with w.uows() as uow:
                agencies = await accounts.members(uow, said)
                if not agencies:
                    raise CliError(f"nhóm {said} không có cơ quan nào đang hoạt động (the group is empty)", 2)
                made = await accounts.create_invites(
                    uow, OPERATOR, agencies, role, now, replace(w.rules(), invite_ttl=valid)
                )
                link = invite_links(w.settings.telegram_bot_username)
                role_vi = messages.person_role("vi", role)
                rows = [(a.name, a.code, role_vi, inv.code, link(inv.code) or "", inv.expires_at) for a, inv in made]
                if out_path is not None:
                    write_atomically(out_path, invites_workbook(rows, now))
                await uow.commit()  # the codes exist only once the workbook holding them is written
        if as_json:
            print_json(
                [
                    {"agency": c, "name": n, "role": role.value, "code": code, "link": lk or None, "expires_at": iso(e)}
                    for n, c, _, code, lk, e in rows
                ]
            )
        if out_path is not None:
            until = format_instant(rows[0][5])
            (err if as_json else out).print(
                f"Đã tạo {len(rows)} mã đăng ký ({role_vi}) cho {said}, hết hạn {until}: {out_path}"
            )

    run(go())


@app.command("status")
def status_cmd(
    period: Annotated[
        str | None, typer.Argument(help="Kỳ: 2023-04, thang:2023-04 hoặc nhãn; mặc định kỳ vừa đến hạn.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ai đã nộp, nộp muộn, chưa nộp (who submitted, late, missing)."""

    async def go() -> None:
        now = utcnow()
        async with context() as w, w.uows() as uow:
            seen = await overview.overview(uow, OPERATOR, period, now, w.rules())
        p, counted = seen.period, seen.tally
        # Departments before communes, each kind in its official order (the kind's name sorted communes first).
        judged = sorted(
            counted.rows,
            key=lambda j: vietnamese.office_order(j.row.agency),
        )
        if as_json:
            print_json(
                [
                    {
                        "plan": p.plan_number,
                        "period": p.label,
                        "period_key": f"{p.series_code}:{p.key}",
                        "agency": j.row.agency.code,
                        "name": j.row.agency.name,
                        "status": j.standing.value,
                        "days": j.verdict.days,
                        "submitted_at": iso(j.row.submitted_at) if j.row.submitted_at else None,
                        "document_number": j.row.document_number,
                    }
                    for j in judged
                ]
            )
            return
        title = (
            f"{bundles.short_name('vi', p.label, p.plan_number)} — hạn chót {format_instant(p.due_at)}: “{p.wording}”"
        )
        table = Table("Mã", "Cơ quan (agency)", "Tình trạng (status)", "Nộp lúc (at)", "Số văn bản", title=title)
        for j in judged:
            table.add_row(
                j.row.agency.code,
                j.row.agency.name,
                Text(*STANDING_SHOWN[j.standing]),
                format_instant(j.row.submitted_at) if j.row.submitted_at else "",
                j.row.document_number or "",
            )
        out.print(table)
        out.print(
            f"Đúng hạn: {len(counted.on_time)} · Muộn: {len(counted.late)} · "
            f"Chưa nộp: {len(counted.not_sent)} / {counted.total}"
        )

    run(go())


@app.command("inbox")
def inbox_cmd(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Tin nhắn không trả lời được, đã để riêng (incoming messages set aside after their attempts), 30 ngày gần đây."""

    async def go() -> None:
        async with context() as w, w.uows() as uow:
            found = await inbound.set_aside(uow, OPERATOR)
        if as_json:
            print_json(
                [
                    {
                        "id": a.id,
                        "platform": a.platform,
                        "chat_id": a.chat_id,
                        "received_at": iso(a.received_at),
                        "set_aside_at": iso(a.set_aside_at),
                        "error": a.error,
                    }
                    for a in found
                ]
            )
            return
        if not found:
            out.print("Không có tin nhắn nào phải để riêng (none set aside).")
            return
        table = Table("Số (id)", "Nền tảng", "Cuộc trò chuyện (chat)", "Nhận lúc", "Để riêng lúc", "Lỗi (error)")
        for a in found:
            table.add_row(
                str(a.id), a.platform, a.chat_id, format_instant(a.received_at), format_instant(a.set_aside_at), a.error
            )
        out.print(table)

    run(go())


def file_refusal(exc: FileRefused) -> str:
    """Why the operator's file is not taken (nothing was stored), as the chat says it."""
    return messages.file_refused("vi", exc.reason, exc.limit)


@app.command("submit")
def submit_cmd(
    agency: Annotated[str, typer.Argument(help="Mã cơ quan (agency code).")],
    period: Annotated[str, typer.Argument(help="Kỳ báo cáo: 2023-04, thang:2023-04 hoặc nhãn.")],
    document_number: Annotated[str | None, typer.Option("--so-van-ban", help="Số văn bản, ví dụ 125/BC-STP.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Thời điểm nộp ISO 8601 (mặc định: bây giờ).")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Tệp báo cáo (.docx, .doc, .pdf, .xlsx, .xls, .odt, .zip).")
    ] = None,
) -> None:
    """Ghi nhận một cơ quan đã nộp báo cáo (record a submission received outside the chat), kèm tệp nếu có."""
    data = None
    if file is not None:
        try:
            if file.stat().st_size > 200 * 1024 * 1024:  # above any limit a setting allows: not read at all
                raise CliError(f"Tệp quá lớn (file too large): {file}", 2)
            data = file.read_bytes()
        except OSError as exc:
            raise CliError(f"Không đọc được tệp (cannot read the file) {file}: {exc.strerror}", 2) from None

    async def go() -> None:
        when = utcnow()
        if at:
            try:
                when = datetime.fromisoformat(at)
            except ValueError:
                raise CliError(f"--at không hợp lệ (bad instant) {at!r}", 2) from None
            if when.tzinfo is None:
                when = when.replace(tzinfo=to_vn(utcnow()).tzinfo)
            day(when.date().isoformat(), "--at")  # within the years an operator may give
        async with context() as w, w.uows() as uow:
            a = await plan.agency(uow, agency)
            p = await plan.period(uow, period, when)
            if data is None:
                sub = await submissions.submit(uow, OPERATOR, a.id, p.id, when, w.rules(), document_number)
            else:
                try:
                    got = await report_files.deliver(
                        uow, OPERATOR, a.id, p.id, file.name if file else None, data, when, w.rules(), "cli",
                        document_number,
                    )  # fmt: skip
                except FileRefused as exc:
                    raise CliError(file_refusal(exc), 2) from None
                if got.receipt is None:  # confirmed before: the file joins that confirmation
                    await uow.commit()
                    out.print(f"Đã thêm tệp {got.file.name} vào báo cáo {a.name} đã nộp ({p.label}).")
                    return
                sub = got.receipt
            await uow.commit()
        out.print(
            f"Đã ghi nhận: {a.name} nộp {p.label} lúc {format_instant(when)} — {'muộn' if sub.late else 'đúng hạn'}."
        )

    run(go())


@app.command("reminders")
def reminders_cmd(
    date_from: Annotated[str | None, typer.Option("--from", help="Từ ngày (from), YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Đến ngày (to, inclusive), YYYY-MM-DD.")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="Chỉ một cơ quan (one agency).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    as_text: Annotated[
        bool, typer.Option("--text", help="In nguyên văn từng tin sẽ gửi (the exact texts each person would get).")
    ] = False,
    as_forecast: Annotated[
        bool, typer.Option("--forecast", help="Số tin dự kiến mỗi ứng dụng trong tháng (messages expected per app).")
    ] = False,
    month: Annotated[
        str | None, typer.Option("--month", help="Tháng dự báo (month), YYYY-MM; mặc định tháng này.")
    ] = None,
) -> None:
    """Xem trước lịch nhắc việc, không gửi gì (preview the reminder timeline; sends nothing)."""
    if as_forecast:
        _forecast(month, as_json)
        return

    async def go() -> None:
        if date_from is None or date_to is None:
            raise CliError("cần --from và --to, hoặc --forecast (--from and --to are needed, or --forecast)", 2)
        start, end = day(date_from, "--from"), day(date_to, "--to")
        assert start and end
        if end < start:
            raise CliError("--to phải sau --from (--to must not be before --from)", 2)
        if (end - start).days > MAX_PREVIEW_DAYS or start.year < MIN_YEAR or end.year > MAX_YEAR:
            raise CliError(
                f"khoảng xem trước tối đa {MAX_PREVIEW_DAYS} ngày, trong các năm {MIN_YEAR}–{MAX_YEAR} "
                f"(the preview covers at most {MAX_PREVIEW_DAYS} days, within {MIN_YEAR}–{MAX_YEAR})",
                2,
            )
        async with context() as w, w.uows() as uow:
            rules = w.rules()
            code = (await plan.agency(uow, agency)).code if agency else None
            if as_text:
                texts = await reminders.preview_texts(uow, rules, start_of_day(start), end_of_day(end), code)
            _, points = await reminders.plan_window(uow, rules, start_of_day(start), end_of_day(end))
        if as_text:
            _print_texts(texts, as_json)
            return
        if code:
            points = [p for p in points if code in p.agencies]
        if as_json:
            print_json(
                [
                    {
                        "at": iso(p.at),
                        "kind": p.kind.value,
                        "period": p.label or None,
                        "plan": p.plan_number or None,
                        "due_at": iso(p.due_at) if p.due_at else None,
                        "agencies": [code] if code else list(p.agencies),
                        "key": p.key,
                    }
                    for p in points
                ]
            )
            return
        table = Table("Lúc (at)", "Loại (kind)", "Kỳ (period)", "Hạn chót (due)", "Cơ quan (agencies)")
        for p in points:
            who = code or (f"{len(p.agencies)} cơ quan" if p.agencies else "Sở Nội vụ (tổng hợp)")
            table.add_row(
                format_instant(p.at),
                POINT_VI[p.kind],
                bundles.short_name("vi", p.label, p.plan_number),
                format_instant(p.due_at) if p.due_at else "",
                who,
            )
        out.print(table)

    run(go())


def _forecast(month: str | None, as_json: bool) -> None:
    """The month's expected messages per app, and a warning when Zalo's would exceed its quota less the reserve."""

    async def go() -> None:
        if month is None:
            today = to_vn(utcnow()).date()
            first = today.replace(day=1)
        else:
            try:
                first = datetime.strptime(month, "%Y-%m").date()
            except ValueError:
                raise CliError(f"--month phải có dạng YYYY-MM (--month must be YYYY-MM): {month[:20]!r}", 2) from None
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        async with context() as w, w.uows() as uow:
            found = await reminders.forecast(uow, w.rules(), first, last)
            quota_size = w.settings.zalo_monthly_quota
        warning = quota.over_forecast("vi", found.month, found.by_platform.get("zalo", 0), quota_size)
        if as_json:
            print_json(
                {
                    "month": found.month,
                    "messages": found.by_platform,
                    "reminders_before_bundling": found.reminders,
                    "to_nobody": found.unreached,
                    "zalo_quota": quota_size,
                    "warning": warning or None,
                }
            )
            return
        table = Table("Ứng dụng (app)", "Số tin dự kiến (messages)", title=f"Tháng {first.month}/{first.year}")
        for platform, n in sorted(found.by_platform.items()):
            table.add_row(PLATFORM_VI.get(platform, platform), str(n))
        out.print(table)
        out.print(
            f"Nhắc việc trước khi gộp (one reminder a message): {found.reminders} · "
            f"gửi tới cơ quan chưa có người đăng ký (to nobody): {found.unreached}"
        )
        if warning:
            err.print(warning)

    run(go())


PLATFORM_VI = {"telegram": "Telegram", "zalo": "Zalo", "console": "Dòng lệnh máy chủ"}


def _print_texts(texts: list[reminders.PreviewText], as_json: bool) -> None:
    if as_json:
        print_json(
            [
                {
                    "at": iso(x.point.at),
                    "kind": x.point.kind.value,
                    "period": x.point.label or None,
                    "plan": x.point.plan_number or None,
                    "agency": x.agency,
                    "recipient": x.recipient or None,
                    "language": x.language,
                    "reports": x.reports,
                    "text": x.text,
                }
                for x in texts
            ]
        )
        return
    if not texts:
        out.print("Không có tin nhắc nào trong khoảng này (no reminder in this window).")
    for x in texts:
        who = x.recipient or "chưa có người đăng ký"
        kind = f"{x.reports} báo cáo trong một tin" if x.reports > 1 else POINT_VI[x.point.kind]
        out.print(f"── {format_instant(x.point.at)} · {kind} · {x.agency} · {who} ({x.language})", soft_wrap=True)
        out.print(x.text, soft_wrap=True)
        out.print("")


@app.command("demo")
def demo_cmd(
    speed: Annotated[
        float, typer.Option("--speed", min=0.1, max=3600, help="Đồng hồ mô phỏng chạy nhanh gấp (clock speed).")
    ] = 1.0,
    plan_path: Annotated[Path, typer.Option("--plan", help="Tệp kế hoạch 46 (the plan file).")] = Path(
        "plans/46-KH-UBND-2023.toml"
    ),
) -> None:
    """Chạy thử trong một phút: cơ sở dữ liệu riêng, đồng hồ mô phỏng từ 07:59 thứ Sáu, 14/4/2023 (a one-minute demo
    on a database of its own and a simulated clock; the service itself never runs on it)."""
    import signal

    from nhacviec.demo import run_demo
    from nhacviec.http import HttpPortInUse

    async def go() -> None:
        try:
            settings = load_settings()
        except ValidationError as exc:
            raise settings_refused(exc) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await run_demo(settings, speed, stop, plan_path)
        except HttpPortInUse as exc:
            raise CliError(str(exc)) from None
        except PlanFileError as exc:
            raise CliError(f"không đọc được tệp kế hoạch (cannot read the plan file): {exc}", 2) from None
        out.print("Đã dừng chạy thử (demo stopped).")

    run(go())


@app.command("run")
def run_cmd() -> None:
    """Chạy dịch vụ: lịch nhắc, hàng đợi gửi tin và các kênh chat (run the service)."""
    from models.instances import AlreadyRunning
    from nhacviec.http import HttpPortInUse
    from nhacviec.logsafety import configure_logging, mask
    from nhacviec.service import TelegramTokenRejected, run_service

    async def go() -> None:
        try:
            settings = load_settings()
        except ValidationError as exc:
            raise settings_refused(exc) from None
        configure_logging(settings.log_level, settings.secrets())
        try:
            await run_service(settings)
        except SchemaOutOfDate as exc:
            raise CliError(str(exc)) from exc
        except CalendarFileError as exc:
            raise CliError(str(exc), 2) from exc
        except (TelegramTokenRejected, AlreadyRunning, HttpPortInUse) as exc:
            raise CliError(str(exc)) from None
        except Exception as exc:  # a crash at start: say what, never with a secret in it, never a raw traceback
            logging.getLogger("nhacviec").exception("the service stopped on an error")
            raise CliError(mask(f"{type(exc).__name__}: {exc}", settings.secrets())) from None

    run(go())


@app.command("chat")
def chat_cmd(
    agency: Annotated[
        str, typer.Option("--as", help="Mã cơ quan, hoặc mã đăng ký do Sở Nội vụ cấp (agency code, or an invite code).")
    ],
    role: Annotated[Role, typer.Option("--role", help="focal | leader | admin")] = Role.FOCAL,
    name: Annotated[str | None, typer.Option("--name", help="Tên hiển thị (display name).")] = None,
) -> None:
    """Trò chuyện với bot ngay trong terminal, không cần token (chat with the bot in the terminal). Với mã đăng
    ký, người dùng là người Sở Nội vụ cấp mã cho, với họ tên và chức vụ của mã (with an invite code, the person the
    code was made for)."""
    from bot.console.repl import repl
    from nhacviec.service import console_only

    async def go() -> None:
        async with context() as w:
            default_name = {Role.ADMIN: "Quản trị viên", Role.LEADER: "Lãnh đạo"}.get(role, "Cán bộ đầu mối")
            async with w.uows() as uow:
                invited = await accounts.console_account_by_invite(uow, agency, utcnow())
                who = invited or await accounts.console_account(uow, agency, role, name or default_name, utcnow())
                await uow.commit()
            async with console_only(w) as conversation:
                await repl(conversation, who, sys.stdin, sys.stdout, Path("exports"))

    run(go())


@app.command("login-link")
def login_link_cmd(
    agency: Annotated[str, typer.Option("--as", help="Mã cơ quan của tài khoản máy chủ (agency code).")],
    role: Annotated[Role, typer.Option("--role", help="admin | leader | focal")] = Role.ADMIN,
    name: Annotated[str | None, typer.Option("--name", help="Tên hiển thị (display name).")] = None,
) -> None:
    """In đường dẫn đăng nhập trang quản trị, dùng một lần, hiệu lực 10 phút (print a one-time dashboard link)."""

    async def go() -> None:
        async with context() as w:
            default_name = {Role.ADMIN: "Quản trị viên", Role.LEADER: "Lãnh đạo"}.get(role, "Cán bộ đầu mối")
            now = utcnow()
            async with w.uows() as uow:
                token = await web_access.operator_link(uow, agency, role, name or default_name, now)
                await uow.commit()
        out.print(f"{w.settings.dashboard_url}/dang-nhap?t={token}", soft_wrap=True)  # never wrapped: it is pasted
        err.print(f"Dùng một lần, hết hạn lúc (one use, expires at) {format_instant(now + web_access.LOGIN_TTL)}")

    run(go())


def main() -> None:
    app()
