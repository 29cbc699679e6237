"""The `nhacviec` command line (Typer). Operators read Vietnamese with English in parentheses."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.deadlines import end_of_day, start_of_day, to_vn, utcnow
from core.i18n import format_instant
from core.planfile import PlanFileError, load_plan_file
from core.types import AgencyKind, Role
from models import db, queries
from models.invites import create_invite
from models.plan_import import import_plan
from models.submissions import SubmissionError, record_submission
from nhacviec.config import Settings, load_settings

app = typer.Typer(
    help="nhacviec — nhắc việc báo cáo theo kế hoạch (report reminders for government plans).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Cơ sở dữ liệu (database).", no_args_is_help=True)
app.add_typer(db_app, name="db")
out = Console()
err = Console(stderr=True)
T = TypeVar("T")
ACTOR = "cli"
KIND_VI = {
    AgencyKind.DEPARTMENT: "sở, ban, ngành",
    AgencyKind.DISTRICT: "UBND huyện, thành phố",
    AgencyKind.OTHER: "khác",
}


class CliError(Exception):
    """A problem the operator can fix; printed without a traceback."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Ctx:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


@asynccontextmanager
async def _context(check_schema: bool = True) -> AsyncIterator[Ctx]:
    try:
        settings = load_settings()
    except ValidationError as exc:
        raise CliError(f"cấu hình không hợp lệ (invalid configuration):\n{exc}", 2) from exc
    engine = db.make_engine(settings.database_url, settings.database_schema)
    try:
        if check_schema:
            try:
                await db.require_current_schema(engine)
            except db.SchemaOutOfDate as exc:
                raise CliError(str(exc)) from exc
        yield Ctx(settings, engine, db.session_factory(engine))
    finally:
        await engine.dispose()


def _run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except CliError as exc:
        err.print(f"[red]Lỗi (error):[/red] {exc}", highlight=False)
        raise typer.Exit(exc.code) from None
    except OSError as exc:
        err.print(f"[red]Lỗi kết nối cơ sở dữ liệu (database connection failed):[/red] {exc.strerror or exc}")
        raise typer.Exit(1) from None


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _iso(instant: datetime) -> str:
    return to_vn(instant).isoformat()


def _parse_duration(text: str) -> timedelta:
    m = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", text.lower())
    if m:
        n, unit = int(m.group(1)), m.group(2)
        return {"d": timedelta(days=n), "h": timedelta(hours=n), "m": timedelta(minutes=n)}[unit]
    try:
        return TypeAdapter(timedelta).validate_python(text)
    except ValidationError:
        raise CliError(f"thời hạn không hợp lệ (bad duration) {text!r}: dùng 7d, 48h hoặc P7D", 2) from None


async def _agency(session: AsyncSession, code: str) -> Any:
    agency = await queries.agency_by_code(session, code)
    if agency is None:
        raise CliError(f"không có cơ quan mã {code!r} (unknown agency code); xem 'nhacviec agencies'", 2)
    return agency


# ------------------------------------------------------------------ commands


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Nâng cấp cấu trúc cơ sở dữ liệu lên bản mới nhất (apply migrations)."""

    async def go() -> None:
        async with _context(check_schema=False) as ctx:
            before = await db.current_revision(ctx.engine)
            await db.upgrade(ctx.engine)
            after = await db.current_revision(ctx.engine)
        out.print(f"Cơ sở dữ liệu (database): {before or 'trống (empty)'} → {after}")

    _run(go())


@app.command("import-plan")
def import_plan_cmd(path: Annotated[Path, typer.Argument(help="Tệp kế hoạch TOML (plan file).")]) -> None:
    """Kiểm tra rồi nạp một tệp kế hoạch (validate, then import a plan file)."""

    async def go() -> None:
        try:
            spec = load_plan_file(path)
        except PlanFileError as exc:
            raise CliError(
                "tệp kế hoạch không hợp lệ, chưa ghi gì (invalid plan file, nothing written):\n" + str(exc), 2
            ) from exc
        async with _context() as ctx, ctx.sessions.begin() as session:
            report = await import_plan(session, spec, ACTOR)
        if not report.changed:
            out.print(f"Kế hoạch {spec.number}: không có thay đổi (no changes).")
        else:
            out.print(f"Kế hoạch {spec.number} đã nạp (imported):")
            for what, n in sorted(report.changes.items()):
                out.print(f"  {what}: {n}")
        for label in report.kept_periods:
            err.print(f"[yellow]Giữ lại kỳ {label!r} vì đã có báo cáo nộp (kept: it holds submissions).[/yellow]")

    _run(go())


@app.command("agencies")
def agencies_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="In JSON (print JSON).")] = False,
    include_inactive: Annotated[bool, typer.Option("--all", help="Cả cơ quan ngừng hoạt động.")] = False,
) -> None:
    """Danh sách cơ quan, đơn vị (list agencies)."""

    async def go() -> None:
        async with _context() as ctx, ctx.sessions() as session:
            rows = await queries.list_agencies(session, include_inactive)
        if as_json:
            _print_json([{"code": a.code, "name": a.name, "kind": a.kind.value, "active": a.active} for a in rows])
            return
        table = Table("Mã (code)", "Tên (name)", "Loại (kind)")
        for a in rows:
            table.add_row(a.code, a.name, KIND_VI[a.kind] + ("" if a.active else " — ngừng"))
        out.print(table)

    _run(go())


@app.command("tasks")
def tasks_cmd(
    agency: Annotated[str | None, typer.Option("--agency", help="Mã cơ quan (agency code).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Nhiệm vụ kế hoạch giao (tasks), theo cơ quan nếu có --agency."""

    async def go() -> None:
        async with _context() as ctx, ctx.sessions() as session:
            if agency is None:
                items = await queries.all_tasks(session)
            else:
                a = await _agency(session, agency)
                items = [
                    {
                        "plan": x.plan_number,
                        "ref": x.ref,
                        "title": x.title,
                        "text": x.text,
                        "role": x.role.value,
                    }
                    for x in await queries.tasks_for_agency(session, a.id)
                ]
        if as_json:
            _print_json(items)
            return
        table = Table("Mục (ref)", "Nhiệm vụ (task)", "Vai trò (role)" if agency else "Chủ trì (lead)")
        for x in items:
            role = {"lead": "chủ trì", "coordinate": "phối hợp"}.get(str(x.get("role")), "")
            table.add_row(str(x["ref"]), str(x["title"]), role or ", ".join(x.get("lead", [])))  # type: ignore[arg-type]
        out.print(table)

    _run(go())


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"{name}: ngày không hợp lệ (bad date) {value!r}; dùng YYYY-MM-DD", 2) from None


@app.command("periods")
def periods_cmd(
    date_from: Annotated[str | None, typer.Option("--from", help="Hạn từ ngày (due from), YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Hạn đến ngày (due until), YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Các kỳ báo cáo và hạn chót (report periods and deadlines)."""

    async def go() -> None:
        start, end = _day(date_from, "--from"), _day(date_to, "--to")
        async with _context() as ctx, ctx.sessions() as session:
            rows = await queries.list_periods(
                session, start_of_day(start) if start else None, end_of_day(end) if end else None
            )
        if as_json:
            _print_json(
                [
                    {
                        "label": p.label,
                        "series": p.series_code,
                        "key": p.key,
                        "plan": p.plan_number,
                        "opens_at": _iso(p.opens_at),
                        "due_at": _iso(p.due_at),
                        "wording": p.wording,
                    }
                    for p in rows
                ]
            )
            return
        table = Table("Kỳ (period)", "Hạn chót (due)", "Theo văn bản (wording)")
        for p in rows:
            table.add_row(p.label, format_instant(p.due_at), p.wording)
        out.print(table)

    _run(go())


@app.command("invite")
def invite_cmd(
    agency: Annotated[str, typer.Argument(help="Mã cơ quan (agency code).")],
    role: Annotated[Role, typer.Option("--role", help="focal (đầu mối) | leader (lãnh đạo) | admin")] = Role.FOCAL,
    expires: Annotated[str | None, typer.Option("--expires", help="Hiệu lực (valid for), ví dụ 7d, 48h.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Tạo mã đăng ký dùng một lần (create a single-use registration code)."""

    async def go() -> None:
        async with _context() as ctx:
            valid = _parse_duration(expires) if expires else timedelta(days=ctx.settings.invite_default_days)
            if valid <= timedelta(0):
                raise CliError("--expires phải dương (must be positive)", 2)
            async with ctx.sessions.begin() as session:
                a = await _agency(session, agency)
                if role is Role.ADMIN and a.code != "SNV":
                    err.print(
                        "[yellow]Lưu ý: quản trị viên thường thuộc Sở Nội vụ (admins usually belong to SNV).[/yellow]"
                    )
                inv = await create_invite(session, a.id, a.code, role, utcnow(), valid, ACTOR)
            username = ctx.settings.telegram_bot_username
        link = f"https://t.me/{username}?start={inv.code}" if username else None
        if as_json:
            obj: dict[str, object] = {
                "code": inv.code,
                "agency": inv.agency_code,
                "role": inv.role.value,
                "expires_at": _iso(inv.expires_at),
            }
            if link:
                obj["link"] = link
            _print_json(obj)
            return
        out.print(f"Mã đăng ký (code): [bold]{inv.code}[/bold]")
        out.print(f"Cơ quan: {a.name} — vai trò: {inv.role.value} — hết hạn: {format_instant(inv.expires_at)}")
        out.print(f"Gửi bot tin nhắn (send the bot): /dangky {inv.code}")
        if link:
            out.print(f"Liên kết Telegram: {link}")

    _run(go())


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
        async with _context() as ctx, ctx.sessions() as session:
            p = await queries.find_period(session, period, now)
            if p is None:
                raise CliError(
                    f"không tìm thấy kỳ báo cáo {period!r} (no such period, or ambiguous); xem 'nhacviec periods'",
                    2,
                )
            rows = await queries.period_status(session, p.id)
        if as_json:
            _print_json(
                [
                    {
                        "agency": r.agency.code,
                        "name": r.agency.name,
                        "status": "missing" if r.submitted_at is None else ("late" if r.late else "on_time"),
                        "submitted_at": _iso(r.submitted_at) if r.submitted_at else None,
                        "document_number": r.document_number,
                    }
                    for r in rows
                ]
            )
            return
        title = f"{p.label} — hạn chót {format_instant(p.due_at)} ({p.wording})"
        table = Table("Mã", "Cơ quan (agency)", "Tình trạng (status)", "Nộp lúc (at)", "Số văn bản", title=title)
        overdue = now > p.due_at
        for r in rows:
            if r.submitted_at is None:
                state = "[red]chưa nộp — quá hạn[/red]" if overdue else "chưa nộp"
            else:
                state = "[yellow]nộp muộn[/yellow]" if r.late else "[green]đúng hạn[/green]"
            table.add_row(
                r.agency.code,
                r.agency.name,
                state,
                format_instant(r.submitted_at) if r.submitted_at else "",
                r.document_number or "",
            )
        out.print(table)
        done = [r for r in rows if r.submitted_at]
        out.print(
            f"Đúng hạn: {sum(1 for r in done if not r.late)} · Muộn: {sum(1 for r in done if r.late)} · "
            f"Chưa nộp: {len(rows) - len(done)} / {len(rows)}"
        )

    _run(go())


@app.command("submit")
def submit_cmd(
    agency: Annotated[str, typer.Argument(help="Mã cơ quan (agency code).")],
    period: Annotated[str, typer.Argument(help="Kỳ báo cáo: 2023-04, thang:2023-04 hoặc nhãn.")],
    document_number: Annotated[str | None, typer.Option("--so-van-ban", help="Số văn bản, ví dụ 125/BC-SNV.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Thời điểm nộp ISO 8601 (mặc định: bây giờ).")] = None,
) -> None:
    """Ghi nhận một cơ quan đã nộp báo cáo (record a submission received outside the chat)."""

    async def go() -> None:
        when = utcnow()
        if at:
            try:
                when = datetime.fromisoformat(at)
            except ValueError:
                raise CliError(f"--at không hợp lệ (bad instant) {at!r}", 2) from None
            if when.tzinfo is None:
                when = when.replace(tzinfo=to_vn(utcnow()).tzinfo)
        async with _context() as ctx, ctx.sessions.begin() as session:
            a = await _agency(session, agency)
            p = await queries.find_period(session, period, when)
            if p is None:
                raise CliError(f"không tìm thấy kỳ báo cáo {period!r} (no such period, or ambiguous)", 2)
            try:
                sub = await record_submission(session, a.id, p.id, when, ACTOR, document_number=document_number)
            except SubmissionError as exc:
                raise CliError(str(exc), 2) from exc
        out.print(
            f"Đã ghi nhận: {a.name} nộp {p.label} lúc {format_instant(when)} — {'muộn' if sub.late else 'đúng hạn'}."
        )

    _run(go())


@app.command("reminders")
def reminders_cmd(
    date_from: Annotated[str, typer.Option("--from", help="Từ ngày (from), YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Đến ngày (to, inclusive), YYYY-MM-DD.")],
    agency: Annotated[str | None, typer.Option("--agency", help="Chỉ một cơ quan (one agency).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Xem trước lịch nhắc việc, không gửi gì (preview the reminder timeline; sends nothing)."""
    from nhacviec.service import policy_from
    from scheduler.calendar import CalendarFileError, load_calendar
    from scheduler.engine import plan_window

    async def go() -> None:
        start, end = _day(date_from, "--from"), _day(date_to, "--to")
        assert start and end
        if end < start:
            raise CliError("--to phải sau --from (--to must not be before --from)", 2)
        async with _context() as ctx, ctx.sessions() as session:
            try:
                calendar = load_calendar(ctx.settings.calendar_file)
            except CalendarFileError as exc:
                raise CliError(str(exc), 2) from exc
            code = (await _agency(session, agency)).code if agency else None
            _, points = await plan_window(
                session, policy_from(ctx.settings), calendar, start_of_day(start), end_of_day(end)
            )
        if code:
            points = [p for p in points if code in p.agencies]
        if as_json:
            _print_json(
                [
                    {
                        "at": _iso(p.at),
                        "kind": p.kind.value,
                        "period": p.label or None,
                        "due_at": _iso(p.due_at) if p.due_at else None,
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
                format_instant(p.at), p.kind.value, p.label, format_instant(p.due_at) if p.due_at else "", who
            )
        out.print(table)

    _run(go())


@app.command("run")
def run_cmd() -> None:
    """Chạy dịch vụ: lịch nhắc, hàng đợi gửi tin và các kênh chat (run the service)."""
    from nhacviec.logsafety import configure_logging
    from nhacviec.service import run_service
    from scheduler.calendar import CalendarFileError

    async def go() -> None:
        try:
            settings = load_settings()
        except ValidationError as exc:
            raise CliError(f"cấu hình không hợp lệ (invalid configuration):\n{exc}", 2) from exc
        configure_logging(settings.log_level, settings.secrets())
        try:
            await run_service(settings)
        except db.SchemaOutOfDate as exc:
            raise CliError(str(exc)) from exc
        except CalendarFileError as exc:
            raise CliError(str(exc), 2) from exc

    _run(go())


@app.command("chat")
def chat_cmd(
    agency: Annotated[str, typer.Option("--as", help="Mã cơ quan của người dùng thử (agency code).")],
    role: Annotated[Role, typer.Option("--role", help="focal | leader | admin")] = Role.FOCAL,
    name: Annotated[str | None, typer.Option("--name", help="Tên hiển thị (display name).")] = None,
) -> None:
    """Trò chuyện với bot ngay trong terminal, không cần token (chat with the bot in the terminal)."""
    from bot.console.channel import ConsoleChannel
    from bot.console.repl import repl
    from core.conversation.ports import StoreError
    from nhacviec.notifier import ServiceNotifier
    from nhacviec.service import make_conversation
    from scheduler.sender import OutboxSender

    async def go() -> None:
        async with _context() as ctx:
            sender = OutboxSender(ctx.sessions, {"console": ConsoleChannel()})
            conversation, store = make_conversation(ctx.settings, ctx.sessions, ServiceNotifier(sender))
            default_name = {Role.ADMIN: "Quản trị viên", Role.LEADER: "Lãnh đạo"}.get(role, "Cán bộ đầu mối")
            try:
                who = await store.ensure_console_account(agency.upper(), role, name or default_name, utcnow())
            except StoreError:
                raise CliError(
                    f"không có cơ quan mã {agency!r} (unknown agency code); xem 'nhacviec agencies'", 2
                ) from None
            stop = asyncio.Event()
            sending = asyncio.create_task(sender.run(stop, poll_seconds=1.0))
            try:
                await repl(conversation, who, sys.stdin, sys.stdout, Path("exports"))
                await sender.drain_once()
            finally:
                stop.set()
                await sending

    _run(go())


def main() -> None:
    app()
