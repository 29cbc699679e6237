"""Dashboard under load during a fan-out (issue 28, finding 16): 200 signed-in users on the matrix of a province while
300 reminders leave.

Tuyên Quang loaded (13 departments, 124 communes and wards, a few others), three plans of 2026 each owing all of
them a monthly report, a year of submissions. The service's real HTTP server (Starlette on uvicorn, SQLite) and the
real outbox sender with the Telegram channel run in this process, as in the service; the Telegram Bot API stand-in
runs in a process of its own (80 ms a call, Telegram's flood limits), and so does the crowd: 200 clients, each
signed in with a session of its own, asking the matrix 3 times (600 requests), all at once. Meanwhile a probe asks
/healthz every 50 ms.

Prints: the fan-out's rate alone and under the crowd (their ratio; target ≥ 0.9), the matrix's median and 95th
percentile (target: median under 2 s), /healthz's worst answer (target: at most 500 ms), and any 5xx.

Run: .venv/bin/python bench/dashboard_load.py. Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from telegram import Bot

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fanout import TOKEN, RemoteStandIn  # noqa: E402
from bot.pacing import Pacer  # noqa: E402
from bot.telegram.channel import TelegramChannel  # noqa: E402
from core.deadlines import utcnow  # noqa: E402
from core.planfile import load_plan_bytes, load_plan_file  # noqa: E402
from core.types import OPERATOR, Platform, Role  # noqa: E402
from core.usecases import plan, province, submissions, web_access  # noqa: E402
from core.usecases.rules import Rules  # noqa: E402
from models import db  # noqa: E402
from models.uow import uow_factory  # noqa: E402
from nhacviec.http import HttpServer, Readiness, build_app, settle_heap  # noqa: E402
from nhacviec.metrics import Metrics  # noqa: E402
from scheduler.sender import OutboxSender  # noqa: E402
from tests.conftest import Database  # noqa: E402
from tests.factories import queue_messages  # noqa: E402
from tests.telegram_standin import FloodRules  # noqa: E402
from web.app import dashboard_routes  # noqa: E402
from web.session import COOKIE, Cookies  # noqa: E402

SECRET = "bench-load-secret"
USERS, ASKS, MESSAGES = 200, 3, 300
PAGE = os.environ.get("BENCH_PAGE", "/?plan={plan}")  # BENCH_PAGE=/healthz: the same crowd on a page of nothing
PLANS = ("21/KH-UBND", "22/KH-UBND", "23/KH-UBND")


def crowd(
    url: str,
    cookies: list[str],
    plan_number: str,
    out: multiprocessing.Queue[tuple[list[float], int]],
    stop: Any,
) -> None:
    """In a process of its own: every user asks the matrix at least ``ASKS`` times, all users at once, and goes on
    asking until ``stop`` is set (the fan-out is over), so the crowd lasts as long as the fan-out."""

    async def run() -> tuple[list[float], int]:
        took: list[float] = []
        errors = 0
        limits = httpx.Limits(max_connections=len(cookies) + 10)
        async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:

            async def user(cookie: str) -> None:
                nonlocal errors
                asked = 0
                while asked < ASKS or not stop.is_set():
                    asked += 1
                    started = time.perf_counter()
                    page = await client.get(PAGE.format(plan=plan_number), cookies={COOKIE: cookie})
                    took.append(time.perf_counter() - started)
                    errors += page.status_code >= 500

            await asyncio.gather(*(user(c) for c in cookies))
        return took, errors

    out.put(asyncio.run(run()))


async def _ready() -> None:
    """The benchmark asks for pages only."""


async def setup(folder: Path) -> tuple[Database, list[str]]:
    path = folder / "load.db"
    engine = db.make_engine(f"sqlite+aiosqlite:///{path}", create=True)
    await db.upgrade(engine)
    database = Database(str(path), None, engine, db.session_factory(engine))
    uows = uow_factory(db.session_factory(engine))
    text = (ROOT / "tests" / "fixtures" / "plans" / "xa-2026.toml").read_text(encoding="utf-8")
    async with uows() as uow:  # plan 46 of 2023 (its agencies, the province's People's Committee among them)
        await plan.import_plan(uow, OPERATOR, load_plan_file(ROOT / "plans" / "46-KH-UBND-2023.toml"))
        await province.load(uow, OPERATOR, "Tuyên Quang", date(2025, 7, 1))
        for number in PLANS:
            plan_file = text.replace('"21/KH-UBND"', f'"{number}"').replace("2026-01-20", "2026-01-05")
            spec = load_plan_bytes(plan_file.encode(), number, registry=await plan.registered(uow))
            await plan.import_plan(uow, OPERATOR, spec)
        await uow.commit()
    async with uows() as uow:  # a year of submissions, two in three on time
        n = 0
        for p in await plan.periods(uow):
            if p.due_at > utcnow() or p.plan_number not in PLANS:
                continue
            for row in await uow.periods.status(p.id):
                n += 1
                late = n % 3 == 0
                at = p.due_at.replace(day=1) if not late else p.due_at.replace(hour=23)
                await submissions.submit(uow, OPERATOR, row.agency.id, p.id, at, Rules(), f"{n}/BC")
        await uow.commit()
    cookies = []
    async with uows() as uow:
        for _ in range(USERS):
            token = await web_access.operator_link(uow, "SNV", Role.ADMIN, "Quản trị viên", utcnow())
            cookies.append(Cookies(SECRET)._signer.dumps(await web_access.sign_in(uow, token, utcnow())))
        await uow.commit()
    return database, cookies


async def fan_out(database: Database, chats: range) -> float:
    """Queue one message for each chat and drain them through the Telegram channel; the messages a second."""
    api = RemoteStandIn(FloodRules(latency=0.08))
    bot = Bot(TOKEN, base_url=api.base_url)
    await bot.initialize()
    await queue_messages(database, chats, Platform.TELEGRAM, tag=f"tin-{chats.start}")
    sender = OutboxSender(database.uows, {Platform.TELEGRAM: TelegramChannel(bot, Pacer(29))})  # type: ignore[arg-type]
    started = time.perf_counter()
    await sender.drain_once()
    took = time.perf_counter() - started
    await bot.shutdown()
    api.stop()
    return len(chats) / took


async def main() -> None:
    print(f"dashboard under load, {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, 2 cores")
    with tempfile.TemporaryDirectory() as tmp:
        database, cookies = await setup(Path(tmp))
        app = build_app(
            Readiness(_ready, lambda: ["bench"]),
            Metrics(database.uows, 3000),
            [],
            dashboard_routes(database.uows, Rules(), SECRET),
        )
        server = HttpServer(app, "127.0.0.1", 0)
        server.start()
        settle_heap()
        solo = await fan_out(database, range(1, MESSAGES + 1))
        print(f"fan-out alone: {solo:.1f} messages/s")
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as prober:
            assert (await prober.get("/healthz")).status_code == 200
            warm = await prober.get(f"/?plan={PLANS[0]}", cookies={COOKIE: cookies[0]})
            assert warm.status_code == 200 and "data-agency" in warm.text, warm.status_code
            health: list[float] = []
            done = asyncio.Event()

            async def probe() -> None:
                while not done.is_set():
                    started = time.perf_counter()
                    answer = await prober.get("/healthz")
                    health.append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200
                    await asyncio.sleep(0.05)

            spawn = multiprocessing.get_context("spawn")
            results: multiprocessing.Queue[tuple[list[float], int]] = spawn.Queue()
            over = spawn.Event()
            people = spawn.Process(target=crowd, args=(server.url, cookies, PLANS[0], results, over), daemon=True)
            probing = asyncio.create_task(probe())
            people.start()
            loaded = await fan_out(database, range(MESSAGES + 1, 2 * MESSAGES + 1))
            over.set()
            took, errors = await asyncio.to_thread(results.get, True, 900)
            done.set()
            await probing
            people.join(10)
        took.sort()
        p95 = took[int(len(took) * 0.95) - 1]
        print(f"fan-out under the crowd: {loaded:.1f} messages/s ({loaded / solo:.2f} of alone)")
        print(
            f"matrix, {USERS} users asking throughout the fan-out ({len(took):,} pages): "
            f"median {statistics.median(took) * 1000:,.0f} ms, "
            f"p95 {p95 * 1000:,.0f} ms, worst {took[-1] * 1000:,.0f} ms, 5xx: {errors}"
        )
        print(f"/healthz worst {max(health):.0f} ms over {len(health)} probes")
        await server.stop()
        await database.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
