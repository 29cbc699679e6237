"""`nhacviec demo`: what the service does, seen in one minute, on a database of its own and a simulated clock.

A separate SQLite database (``data/demo.db``, made afresh at each start) holds plan 46/KH-UBND, two named focal
persons (Sở Tư pháp, Ủy ban nhân dân huyện Na Hang), one Sở Nội vụ admin and a few reports already sent. The clock
starts at 07:59 on Friday 14/4/2023 and runs at real speed (``--speed`` for the tests): about a minute later the
08:00 reminders come through the real reminder engine, outbox and console channel, with their two choices; the
dashboard shows the matrix as it stands at the simulated instant. The simulated clock exists only here: the
service (`nhacviec run`) always runs on real time.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.console.channel import ConsoleChannel
from core.deadlines import VN_TZ, utcnow
from core.i18n import format_instant
from core.planfile import load_plan_file
from core.types import OPERATOR, Platform, Role, Sender
from core.usecases import plan, reminders, report_files, submissions, web_access
from models import db
from models.uow import uow_factory
from nhacviec.config import Settings
from nhacviec.http import HttpServer, Readiness, build_app
from nhacviec.metrics import Metrics
from nhacviec.wiring import rules_from
from scheduler.engine import ReminderEngine
from scheduler.sender import OutboxSender
from web.app import dashboard_routes

START = datetime(2023, 4, 14, 7, 59, tzinfo=VN_TZ)  # a minute before Friday's 08:00 reminders of April's report
DEMO_DB = Path("data") / "demo.db"
PLAN = Path("plans") / "46-KH-UBND-2023.toml"
PEOPLE = (  # agency, role, name and position, console chat id
    ("STP", Role.FOCAL, "Nguyễn Văn An", "Chuyên viên Văn phòng Sở", "demo-stp"),
    ("UBND-NH", Role.FOCAL, "Hoàng Thị Dung", "Chuyên viên Văn phòng", "demo-nh"),
    ("SNV", Role.ADMIN, "Phạm Minh Em", "Chuyên viên Phòng Tổ chức", "demo-snv"),
)
SENT = (  # reports already confirmed by the simulated morning: two on time
    ("SYT", datetime(2023, 4, 12, 15, 0, tzinfo=VN_TZ), "61/BC-SYT"),
    ("STC", datetime(2023, 4, 13, 9, 30, tzinfo=VN_TZ), "88/BC-STC"),
)
TICK = 0.2  # seconds between looks at the simulated clock


class SimulatedClock:
    """Time that starts at ``start`` and runs ``speed`` times as fast as the real one."""

    def __init__(self, start: datetime, speed: float = 1.0, real: Callable[[], float] = time.monotonic) -> None:
        self.start, self.speed, self.real = start, speed, real
        self.origin = real()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=(self.real() - self.origin) * self.speed)


def _report_file(agency: str, number: str, at: datetime) -> bytes:
    """A short report in Word, as the agency would send it (the demo's sample file)."""
    import io

    from docx import Document

    doc = Document()
    doc.add_paragraph(f"{agency.upper()}\nSố: {number}")
    doc.add_paragraph(f"Tuyên Quang, ngày {at.day} tháng {at.month} năm {at.year}")
    doc.add_heading("BÁO CÁO", level=1)
    doc.add_paragraph("Kết quả thực hiện Kế hoạch số 46/KH-UBND ngày 14/3/2023 của Ủy ban nhân dân tỉnh, tháng 4/2023")
    doc.add_paragraph("(Tệp mẫu của bản chạy thử — demo sample file.)")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


async def _prepare(settings: Settings, path: Path, plan_file: Path) -> None:
    """A fresh demo database: plan 46, the demo people and the reports already sent."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(f"sqlite+aiosqlite:///{path}", create=True)
    try:
        await db.upgrade(engine)
        uows = uow_factory(db.session_factory(engine))
        async with uows() as uow:
            await plan.import_plan(uow, OPERATOR, load_plan_file(plan_file, registry=await plan.registered(uow)))
            for code, role, name, title, chat in PEOPLE:
                agency = await plan.agency(uow, code)
                person = await uow.accounts.add_person(name, agency.id, role, START, title)
                await uow.accounts.add_account(person, Sender(Platform.CONSOLE, chat, chat, name), START)
            april = await plan.period(uow, "thang:2023-04", START)
            for n, (code, at, number) in enumerate(SENT):
                agency = await plan.agency(uow, code)
                if n == 0:  # the first with its report file, to open from the dashboard's cell
                    data = _report_file(agency.name, number, at)
                    await report_files.deliver(uow, OPERATOR, agency.id, april.id, f"{number.replace('/', '-')}.docx",
                                               data, at, rules_from(settings), "cli", number)  # fmt: skip
                else:
                    await submissions.submit(uow, OPERATOR, agency.id, april.id, at, rules_from(settings), number)
            await uow.commit()
    finally:
        await engine.dispose()


async def run_demo(
    settings: Settings, speed: float = 1.0, stop: asyncio.Event | None = None, plan_file: Path = PLAN
) -> None:
    """Run the demo until ``stop`` (or Ctrl+C): reminders fire on the simulated clock, the console shows them.

    Raises:
        PlanFileError: the plan file cannot be read.
        HttpPortInUse: HTTP_HOST:HTTP_PORT cannot be bound.
    """
    path = DEMO_DB
    await _prepare(settings, path, plan_file)
    clock = SimulatedClock(START, speed)
    rules = rules_from(settings)
    engine = db.make_engine(f"sqlite+aiosqlite:///{path}")
    uows = uow_factory(db.session_factory(engine))
    sender = OutboxSender(uows, {Platform.CONSOLE: ConsoleChannel(clock=clock)})
    reminder_engine = ReminderEngine(uows, rules, sender, None, clock=clock)  # no APScheduler: the demo's loop fires
    server = None
    print("=" * 78)
    print("NHẮC VIỆC — CHẠY THỬ (demo) · ĐỒNG HỒ MÔ PHỎNG (simulated clock, demo only)")
    print(f"Cơ sở dữ liệu riêng (own database): {path} · Kế hoạch 46/KH-UBND · bắt đầu {format_instant(START)}")
    print("Khoảng 1 phút nữa (at 08:00 simulated), lời nhắc gửi Sở Tư pháp và UBND huyện Na Hang hiện dưới đây.")
    if settings.http_port is not None:
        secret = settings.web_secret_key.get_secret_value() if settings.web_secret_key else secrets.token_urlsafe(32)
        routes = dashboard_routes(uows, rules, secret, clock=clock)
        server = HttpServer(build_app(Readiness(_ready, lambda: ["demo"]), Metrics(uows, 3000), [], routes),
                            settings.http_host, settings.http_port)  # fmt: skip
        server.start()
        async with uows() as uow:
            token = await web_access.operator_link(uow, "SNV", Role.ADMIN, "Quản trị viên (demo)", utcnow())
            april_id = (await plan.period(uow, "thang:2023-04", START)).id
            await uow.commit()
        base = (settings.web_base_url or server.url).rstrip("/")
        print(f"Bảng theo dõi (dashboard), đăng nhập một lần trong 10 phút: {base}/dang-nhap?t={token}")
        print(f"Tệp báo cáo mẫu của {SENT[0][0]} (sample report file): ô {base}/o/{april_id}/{SENT[0][0]}")
    print("Dừng (stop): Ctrl+C.")
    print("=" * 78, flush=True)
    stop = stop or asyncio.Event()
    seen_until = clock() - timedelta(seconds=1)
    try:
        while not stop.is_set():
            now = clock()
            async with uows() as uow:
                _, points = await reminders.plan_window(uow, rules, seen_until, now)
            for p in points:
                if seen_until < p.at <= now:
                    await reminder_engine.fire_key(p.key, p.at)
            seen_until = now
            await sender.drain_once()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(TICK):  # not wait_for: it can swallow a cancellation on Python 3.11
                    await stop.wait()
    finally:
        if server is not None:
            await server.stop()
        await engine.dispose()


async def _ready() -> None:
    """The demo's readiness: its own database is there."""
