"""Soak: the crash and failover proofs of the test suite (tests/test_crash.py, tests/test_instances.py), longer.

crash:    N messages queued, the service (a real `nhacviec run` against the Telegram Bot API stand-in)
          killed with SIGKILL K times at random moments and started again each time; prints lost,
          doubled, and how long after each start sending resumed.
failover: two instances on PostgreSQL; the leader killed R times (and started again, as a follower);
          prints how long the other took to lead (nhacviec_leader 1 in its /metrics).

Run: .venv/bin/python bench/soak.py [--messages 5000] [--kills 30] [--rounds 10]
     [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/test]   (crash on SQLite, and on PostgreSQL if given)
Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.planfile import load_plan_file  # noqa: E402
from core.types import OPERATOR  # noqa: E402
from core.usecases.plan import import_plan  # noqa: E402
from models import db  # noqa: E402
from tests.conftest import Database  # noqa: E402
from tests.factories import queue_messages  # noqa: E402
from tests.service_runner import Service, free_port, metric, service_env  # noqa: E402
from tests.telegram_standin import BotApiStandIn, FloodRules  # noqa: E402

TOKEN = "7000000009:AAH-soak-bench-token-0123456789abcdef"


async def _database(url: str, schema: str | None) -> Database:
    if schema:
        admin = db.make_engine(url)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await admin.dispose()
    engine = db.make_engine(url, schema, create=True)
    await db.upgrade(engine)
    database = Database(url, schema, engine, db.session_factory(engine), {"DATABASE_URL": url})
    if schema:
        database.env["DATABASE_SCHEMA"] = schema
    async with database.uows() as uow:
        await import_plan(uow, OPERATOR, load_plan_file(ROOT / "plans" / "46-KH-UBND-2023.toml"))
        await uow.commit()
    return database


async def _drop(database: Database) -> None:
    await database.engine.dispose()
    if database.schema:
        admin = db.make_engine(database.url)
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{database.schema}" CASCADE'))
        await admin.dispose()


def _spread(values: list[float]) -> str:
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"


async def crash(url: str, schema: str | None, n: int, kills: int, folder: Path) -> None:
    database = await _database(url, schema)
    api = BotApiStandIn(TOKEN, FloodRules())
    api.start()
    try:
        await queue_messages(database, range(1, n + 1))
        env = service_env(database.env, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url)
        rng, resumed = random.Random(46), []
        start = time.monotonic()
        for k in range(kills):
            before = len(api.delivered)
            service = Service(env, folder, f"run {k + 1}").start()
            try:
                resumed.append(service.wait_until(lambda b=before: len(api.delivered) > b, 60, "resumed"))
                time.sleep(rng.uniform(0.1, 3.0))
            finally:
                service.kill()
            time.sleep(0.2)
        last = Service(env, folder, "last").start()
        try:
            last.wait_until(lambda: len({c for c, _, _ in api.delivered}) >= n, 600, "all sent")
            time.sleep(1)
        finally:
            last.terminate()
        seconds = time.monotonic() - start
        per_chat = Counter(c for c, _, _ in api.delivered)
        lost = sum(1 for c in range(1, n + 1) if per_chat[c] == 0)
        doubled = sum(v - 1 for v in per_chat.values())
        backend = "PostgreSQL" if schema else "SQLite"
        print(
            f"crash | {backend} | {n:,} | {kills} | {lost} | {doubled} | {_spread(resumed)} | {seconds:.0f}",
            flush=True,
        )
    finally:
        api.stop()
        await _drop(database)


def _leads(service: Service) -> bool:
    try:
        return metric(service.metrics(), "nhacviec_leader") == 1.0
    except Exception:
        return False


async def failover(url: str, rounds: int, folder: Path) -> None:
    database = await _database(url, f"soak_{uuid.uuid4().hex[:8]}")
    api = BotApiStandIn(TOKEN)
    api.start()
    env = service_env(database.env, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url)
    services = [Service({**env, "HTTP_PORT": str(free_port())}, folder, f"i{i}").start() for i in (1, 2)]
    took: list[float] = []
    try:
        for s in services:
            s.wait_for_line("nhacviec is running")
        for r in range(rounds):
            pair = list(services)
            pair[0].wait_until(lambda p=pair: sum(_leads(s) for s in p) == 1, 60, "one leader")
            leader = next(s for s in services if _leads(s))
            other = next(s for s in services if s is not leader)
            leader.kill()
            took.append(other.wait_until(lambda o=other: _leads(o), 60, "takeover"))
            again = Service(leader.env, folder, f"r{r}").start()
            again.wait_for_line("nhacviec is running")
            services = [other, again]
        print(f"failover | PostgreSQL | {rounds} kills of the leader | takeover s min / median / max {_spread(took)}")
    finally:
        for s in services:
            s.close()
        api.stop()
        await _drop(database)


async def main(args: argparse.Namespace) -> None:
    print(
        f"soak, {time.strftime('%Y-%m-%d')}: case | database | messages | kills | lost | doubled | "
        "resumed s min / median / max | seconds"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_sqlite:
            await crash(f"sqlite+aiosqlite:///{folder / 'soak.db'}", None, args.messages, args.kills, folder)
        if args.pg:
            await crash(args.pg, f"soak_{uuid.uuid4().hex[:8]}", args.messages, args.kills, folder)
            await failover(args.pg, args.rounds, folder)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--pg", help="a PostgreSQL URL (its database must allow CREATE SCHEMA)")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    asyncio.run(main(parser.parse_args()))
