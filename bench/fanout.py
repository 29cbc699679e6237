"""Fan-out benchmark: N messages through the real outbox and channels against the tests' platform stand-ins.

Telegram: the local Bot API stand-in enforces the flood limits strictly (a sliding one-second window of 30
sends per bot, a burst of 3 per chat; past them HTTP 429 with retry_after = 3) and adds a per-call latency
(80 ms: a round trip from Vietnam to Telegram; and 0 ms). For each case it measures, in the same run:
- the ceiling: an ideal client with no database and no python-telegram-bot, paced exactly at the window;
- a bare python-telegram-bot loop (one send after another, sleeping retry_after on a 429);
- nhacviec: N rows in the outbox (SQLite), drained by the real OutboxSender through the Telegram channel;
and, with 5 % of the sends refused by the stand-in (retry_after 1–5 s), nhacviec again.
Zalo: the same outbox through the Zalo channel against the Zalo stand-in, at a configured rate.

Each line prints messages/s, the ratio to 30/s, answers 429, duplicates and missing. Run: make bench
(or .venv/bin/python bench/fanout.py --quick for N = 300 only). Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import platform
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
from aiolimiter import AsyncLimiter
from telegram import Bot
from telegram.error import RetryAfter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.pacing import Pacer  # noqa: E402
from bot.telegram.channel import TelegramChannel  # noqa: E402
from bot.telegram.render import retry_seconds  # noqa: E402
from bot.zalo.channel import ZaloChannel  # noqa: E402
from bot.zalo.client import ZaloClient  # noqa: E402
from core.planfile import load_plan_file  # noqa: E402
from core.types import OPERATOR, Platform  # noqa: E402
from core.usecases import plan  # noqa: E402
from core.usecases.quota import QuotaGate  # noqa: E402
from models import db  # noqa: E402
from scheduler.sender import OutboxSender  # noqa: E402
from tests.conftest import Database  # noqa: E402
from tests.factories import queue_messages  # noqa: E402
from tests.telegram_standin import BotApiStandIn, FloodRules  # noqa: E402
from tests.zalo_standin import ZaloApiStandIn  # noqa: E402

TOKEN = "6123456789:AAHk7xQvZ-bench-token-bench-token-01"
ZALO_TOKEN = "3141592653589793238:QzRkYm9zLXNlY3JldC10b2tlbi1mb3ItYmVuY2g"
LIMIT = 30.0


class RemoteStandIn:
    """The Bot API stand-in in a process of its own, as Telegram's servers are: its clock and threads do not
    compete with the sender's for this process's interpreter lock, so its flood checks see real timing."""

    def __init__(self, rules: FloodRules) -> None:
        ports: multiprocessing.Queue[int] = multiprocessing.get_context("fork").Queue()
        self._process = multiprocessing.get_context("fork").Process(target=_serve, args=(rules, ports), daemon=True)
        self._process.start()
        self.base_url = f"http://127.0.0.1:{ports.get(timeout=10)}/bot"

    async def stats(self) -> tuple[int, list[tuple[int, str, float]]]:
        async with httpx.AsyncClient() as client:
            body = (await client.post(f"{self.base_url}{TOKEN}/standinStats")).json()["result"]
        return int(body["rejected"]), [(int(c), str(t), float(w)) for c, t, w in body["delivered"]]

    def stop(self) -> None:
        self._process.terminate()
        self._process.join(5)


def _serve(rules: FloodRules, ports: multiprocessing.Queue[int]) -> None:
    api = BotApiStandIn(TOKEN, rules)
    api.start()
    ports.put(int(api.base_url.split(":")[-1].split("/")[0]))
    threading.Event().wait()


@dataclass
class Figures:
    what: str
    n: int
    seconds: float
    rejected: int
    duplicates: int
    missing: int

    def line(self) -> str:
        rate = self.n / self.seconds if self.seconds else 0.0
        return (
            f"{self.what:<44} {self.n:>6,} {self.seconds:>8.1f} {rate:>7.1f} {rate / LIMIT:>6.2f}"
            f" {self.rejected:>5} {self.duplicates:>5} {self.missing:>5}"
        )


def counted(delivered: list[tuple[int, str, float]], chats: range) -> tuple[int, int]:
    """(duplicates, missing) among the chats, one message expected each."""
    per_chat = Counter(chat for chat, _, _ in delivered)
    return sum(c - 1 for c in per_chat.values() if c > 1), sum(1 for chat in chats if per_chat[chat] == 0)


async def ceiling(n: int, latency: float) -> Figures:
    """An ideal client: raw HTTP, 16 in flight, paced exactly at 30 a second (no database, no PTB)."""
    api = RemoteStandIn(FloodRules(latency=latency))
    chats = range(1, n + 1)
    limiter, slots = AsyncLimiter(1, 1 / LIMIT), asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=f"{api.base_url}{TOKEN}/") as client:

        async def one(chat: int) -> None:
            async with slots:
                await limiter.acquire()
                await client.post("sendMessage", json={"chat_id": chat, "text": f"tin {chat}"})

        start = time.perf_counter()
        await asyncio.gather(*(one(c) for c in chats))
        seconds = time.perf_counter() - start
    return await _figures(api, f"ceiling (ideal client at 30/s), {latency * 1000:.0f} ms", n, seconds, chats)


async def _figures(api: RemoteStandIn, what: str, n: int, seconds: float, chats: range) -> Figures:
    rejected, delivered = await api.stats()
    api.stop()
    return Figures(what, n, seconds, rejected, *counted(delivered, chats))


async def bare_ptb(n: int, latency: float) -> Figures:
    """A plain python-telegram-bot loop: one send after another, waiting retry_after on a 429."""
    api = RemoteStandIn(FloodRules(latency=latency))
    bot = Bot(TOKEN, base_url=api.base_url)
    await bot.initialize()
    chats = range(1, n + 1)
    start = time.perf_counter()
    for chat in chats:
        while True:
            try:
                await bot.send_message(chat, f"tin {chat}")
                break
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
    seconds = time.perf_counter() - start
    await bot.shutdown()
    return await _figures(api, f"bare python-telegram-bot loop, {latency * 1000:.0f} ms", n, seconds, chats)


async def outbox_with(n: int, folder: Path, platform_: Platform) -> tuple[object, range]:
    """A fresh SQLite database with n focal persons on ``platform_`` and one pending message for each."""
    path = folder / f"{platform_.value}-{n}-{time.monotonic_ns()}.db"
    engine = db.make_engine(f"sqlite+aiosqlite:///{path}", create=True)
    await db.upgrade(engine)
    database = Database(str(path), None, engine, db.session_factory(engine))
    async with database.uows() as uow:
        await plan.import_plan(uow, OPERATOR, load_plan_file(ROOT / "plans" / "46-KH-UBND-2023.toml"))
        await uow.commit()
    chats = range(1, n + 1)
    await queue_messages(database, chats, platform_)  # "tin <chat>", as the tests queue a fan-out
    return (engine, database.uows), chats


async def nhacviec_telegram(n: int, latency: float, folder: Path, random_429: float = 0.0) -> Figures:
    api = RemoteStandIn(FloodRules(latency=latency, random_429=random_429))
    bot = Bot(TOKEN, base_url=api.base_url)
    await bot.initialize()
    (engine, uows), chats = await outbox_with(n, folder, Platform.TELEGRAM)
    sender = OutboxSender(uows, {Platform.TELEGRAM: TelegramChannel(bot, Pacer(29))})  # type: ignore[arg-type]
    start = time.perf_counter()
    await sender.drain_once()
    seconds = time.perf_counter() - start
    await bot.shutdown()
    await engine.dispose()  # type: ignore[attr-defined]
    what = f"nhacviec outbox → Telegram, {latency * 1000:.0f} ms" + (f", {random_429:.0%} 429" if random_429 else "")
    return await _figures(api, what, n, seconds, chats)


async def nhacviec_zalo(n: int, rate: float, folder: Path) -> Figures:
    api = ZaloApiStandIn(ZALO_TOKEN)
    api.start()
    (engine, uows), chats = await outbox_with(n, folder, Platform.ZALO)
    client = ZaloClient(ZALO_TOKEN, api.base_url)
    channel = ZaloChannel(client, QuotaGate(uows, Platform.ZALO, 1_000_000), Pacer(rate))  # type: ignore[arg-type]
    sender = OutboxSender(uows, {Platform.ZALO: channel})  # type: ignore[arg-type]
    start = time.perf_counter()
    await sender.drain_once()
    seconds = time.perf_counter() - start
    await client.close()
    await engine.dispose()  # type: ignore[attr-defined]
    sent = Counter(str(p.get("chat_id")) for p in list(api.delivered))
    api.stop()
    duplicates = sum(c - 1 for c in sent.values() if c > 1)
    missing = sum(1 for chat in chats if sent[str(chat)] == 0)
    return Figures(f"nhacviec outbox → Zalo at {rate:g}/s", n, seconds, 0, duplicates, missing)


async def main(sizes: list[int], latencies: list[float], zalo_rate: float, full: bool) -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {time.strftime('%Y-%m-%d')}")
    print(f"{'case':<44} {'N':>6} {'seconds':>8} {'msg/s':>7} {'÷30/s':>6} {'429s':>5} {'dup':>5} {'miss':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for latency in latencies:
            # The ceiling and the bare loop on the smallest N: a rate, and 3,000 would take minutes for nothing new.
            print((await ceiling(min(sizes), latency)).line(), flush=True)
            print((await bare_ptb(min(sizes), latency)).line(), flush=True)
            for n in sizes:
                print((await nhacviec_telegram(n, latency, folder)).line(), flush=True)
        for n in sizes if full else [min(sizes)]:  # pauses make 3,000 take minutes: --full
            print((await nhacviec_telegram(n, latencies[0], folder, random_429=0.05)).line(), flush=True)
        print((await nhacviec_zalo(min(sizes), zalo_rate, folder)).line(), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 300 only")
    parser.add_argument("--full", action="store_true", help="also N = 3,000 with 5 %% answered 429")
    parser.add_argument("--zalo-rate", type=float, default=20.0, help="messages a second configured for Zalo")
    args = parser.parse_args()
    asyncio.run(main([300] if args.quick else [300, 3000], [0.08, 0.0], args.zalo_rate, args.full))
