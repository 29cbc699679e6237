"""A province's year of plans (issue 30): how many messages a person receives, before and after bundling.

Tuyên Quang loaded (13 departments, 124 communes and wards, a few others from plan 46), plan 46 of 2023 as history
and 30 plans of 2026–2027 with mixed regimes (monthly, quarterly, 6-month, 9-month, annual; departments, communes or
both; deadlines on the 5th to the 25th, in the wordings of real plans), one focal person and one leader registered
per agency (a third of them on Zalo). SQLite, in this process; nothing is sent.

Prints: the 30 plans' import time; the day's planning time (the engine's derivation of a busy day's points); the
messages per person per month (median and maximum, before bundling — one reminder a message — and after — one
message per person per moment, as the outbox sends them); the busiest morning's messages; the forecast of Zalo
messages per month against ZALO_MONTHLY_QUOTA; the admins' digest's length on the busiest day.

Run: .venv/bin/python bench/province_year.py. Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import bundles, messages  # noqa: E402
from core.deadlines import VN_TZ, end_of_day, start_of_day  # noqa: E402
from core.planfile import load_plan_bytes, load_plan_file  # noqa: E402
from core.planning.planner import PointKind  # noqa: E402
from core.types import OPERATOR, DeliveryKind, Role  # noqa: E402
from core.usecases import plan, province, reminders  # noqa: E402
from core.usecases.overview import digest_deliveries, digest_periods  # noqa: E402
from core.usecases.quota import RESERVE_PERCENT  # noqa: E402
from core.usecases.rules import Rules, effective_rules  # noqa: E402
from models import db  # noqa: E402
from models.uow import uow_factory  # noqa: E402
from tests.conftest import Database  # noqa: E402
from tests.factories import add_people  # noqa: E402

PLANS = 30
ZALO_QUOTA = 3000
# (recurrence, name, wording): deadlines as real plans word them (the sources are cited in
# tests/fixtures/plans/cchc-2026-2027.toml and plans/46-KH-UBND-2023.toml).
REGIMES = (
    ("monthly", "Báo cáo tháng", "chậm nhất trong ngày {d} hàng tháng"),
    ("quarterly", "Báo cáo quý", "trước ngày {d} của tháng cuối quý"),
    ("semi_annual", "Báo cáo 6 tháng", "trước ngày {d}/6"),
    ("nine_months", "Báo cáo 9 tháng", "trước ngày {d}/9 hằng năm"),
    ("annual", "Báo cáo năm", "trước ngày {d}/11 hằng năm"),
)
OWERS = (['"@departments"'], ['"@communes"'], ['"@departments"', '"@communes"'])


def plan_file(n: int) -> str:
    """The n-th plan: two or three series of different regimes, owed by departments, communes or both."""
    number = f"{n + 100}/KH-UBND"
    day = (5, 10, 15, 20, 25)[n % 5]
    series = []
    for i in range(2 + n % 2):
        recurrence, name, wording = REGIMES[(n + i * 2) % len(REGIMES)]
        owed = ", ".join(OWERS[(n + i) % len(OWERS)])
        series.append(
            f'[[series]]\ncode = "s{i}"\nname = "{name}"\nrecurrence = "{recurrence}"\n'
            f'wording = "{wording.format(d=f"{day:02d}")}"\nowed_by = [{owed}]\nreceiver = "UBND-TINH"\nvia = "SNV"\n'
        )
    return (
        f'[plan]\nnumber = "{number}"\ntitle = "Kế hoạch số {n + 1} của tỉnh giai đoạn 2026–2027"\n'
        'issuing_body = "Ủy ban nhân dân tỉnh Tuyên Quang"\nissued_on = 2026-01-05\nsigner = "Nguyễn Văn A"\n'
        'signer_title = "Phó Chủ tịch Ủy ban nhân dân tỉnh"\nyears = "2026-2027"\n\n'
        '[[agencies]]\ncode = "UBND-TINH"\nname = "Ủy ban nhân dân tỉnh"\nkind = "other"\n\n'
        '[[agencies]]\ncode = "SNV"\nname = "Sở Nội vụ"\nkind = "department"\n\n' + "\n".join(series)
    )


async def setup(folder: Path) -> tuple[Database, float]:
    path = folder / "year.db"
    engine = db.make_engine(f"sqlite+aiosqlite:///{path}", create=True)
    await db.upgrade(engine)
    database = Database(str(path), None, engine, db.session_factory(engine))
    uows = uow_factory(db.session_factory(engine))
    async with uows() as uow:
        await plan.import_plan(uow, OPERATOR, load_plan_file(ROOT / "plans" / "46-KH-UBND-2023.toml"))
        await province.load(uow, OPERATOR, "Tuyên Quang", date(2025, 7, 1))
        await uow.commit()
    started = time.perf_counter()
    for n in range(PLANS):
        async with uows() as uow:
            number = f"{n + 100}/KH-UBND"
            spec = load_plan_bytes(plan_file(n).encode(), number, registry=await plan.registered(uow))
            await plan.import_plan(uow, OPERATOR, spec)
            await uow.commit()
    imported = time.perf_counter() - started
    async with uows() as uow:
        agencies = [a for a in await uow.agencies.all() if a.code != "UBND-TINH"]
    for i, a in enumerate(agencies):
        app = "zalo" if i % 3 == 0 else "telegram"
        await add_people(database, a.code, Role.FOCAL, [(f"Cán bộ {i}", f"f{i}")], "vi", app)
        await add_people(database, a.code, Role.LEADER, [(f"Lãnh đạo {i}", f"l{i}")], "vi", app)
    await add_people(database, "SNV", Role.ADMIN, [("Quản trị viên", "admin")], "vi", "telegram")
    return database, imported


async def measure(database: Database, imported: float) -> None:
    uows = uow_factory(database.sessions)
    rules = Rules()
    async with uows() as uow:
        agencies = len(await uow.agencies.all())
        busy = datetime(2026, 6, 15, 0, 5, tzinfo=VN_TZ)
        started = time.perf_counter()
        upcoming = await reminders.upcoming(uow, rules, busy, timedelta(days=1), timedelta(days=45))
        planning = time.perf_counter() - started
        effective = await effective_rules(uow, rules)
        _, points = await reminders.plan_window(
            uow, effective, start_of_day(date(2026, 1, 1)), end_of_day(date(2027, 12, 31))
        )
        people = {role: await uow.accounts.recipients(role) for role in (Role.FOCAL, Role.LEADER)}
        forecasts = []
        for month in range(1, 13):
            first = date(2026, month, 1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            forecasts.append(await reminders.forecast(uow, rules, first, last))
    by_agency = {role: {r.agency_code: r for r in found} for role, found in people.items()}
    before: Counter[tuple[int, str]] = Counter()  # (account, month) → reminders, one a message
    after: dict[tuple[int, str], set[datetime]] = {}  # (account, month) → the moments it receives a message at
    mornings: dict[datetime, set[tuple[int, str]]] = {}
    mornings_before: Counter[datetime] = Counter()
    for p in points:
        if p.kind is PointKind.DIGEST or p.at.year != 2026:
            continue
        role = Role.LEADER if p.kind in (PointKind.ESCALATION, PointKind.UNSEEN) else Role.FOCAL
        group = bundles.GROUP_OF[DeliveryKind(p.kind.value)]
        for code in p.agencies:
            r = by_agency[role].get(code)
            if r is None:
                continue
            month = f"{p.at:%Y-%m}"
            before[(r.account_id, month)] += 1
            after.setdefault((r.account_id, month), set()).add(p.at)
            mornings.setdefault(p.at, set()).add((r.account_id, group))
            mornings_before[p.at] += 1
    accounts = [r.account_id for found in people.values() for r in found]
    months = [f"2026-{m:02d}" for m in range(1, 13)]

    def spread(counts: dict[tuple[int, str], int]) -> tuple[float, int]:
        per_month = [max(counts.get((a, m), 0) for m in months) for a in accounts]  # each person's busiest month
        return statistics.median(per_month), max(per_month)

    b_median, b_max = spread(dict(before))
    a_median, a_max = spread({k: len(v) for k, v in after.items()})
    busiest_at = max(mornings, key=lambda at: len(mornings[at]))
    async with uows() as uow:
        digest_at = busiest_at.replace(hour=8, minute=0)
        periods = await digest_periods(uow, digest_at, rules)
        sent = await digest_deliveries(uow, digest_at)
    digest = messages.digest("vi", "Quản trị viên", digest_at, periods, sent)

    print(f"machine: {platform.platform()}, Python {platform.python_version()}")
    print(f"province: {agencies} agencies, {PLANS} plans of 2026–2027 and plan 46 of 2023, {len(accounts)} people")
    print(f"import of {PLANS} plans: {imported:.1f} s ({imported / PLANS * 1000:.0f} ms a plan)")
    print(f"the day's planning (15/6/2026, {len(upcoming)} points): {planning * 1000:.0f} ms")
    print("messages per person in their busiest month of 2026 (focal persons and leaders):")
    print(f"  before bundling (one reminder a message): median {b_median:.0f}, maximum {b_max}")
    print(f"  after bundling (one message a moment):    median {a_median:.0f}, maximum {a_max}")
    print(
        f"busiest morning ({busiest_at:%d/%m/%Y %H:%M}): {mornings_before[busiest_at]} reminders before, "
        f"{len(mornings[busiest_at])} messages after"
    )
    limit = ZALO_QUOTA * RESERVE_PERCENT // 100
    print(f"Zalo forecast per month of 2026 (quota {ZALO_QUOTA}, {limit} before the reserve):")
    for f in forecasts:
        zalo = f.by_platform.get("zalo", 0)
        print(
            f"  {f.month}: Zalo {zalo}, Telegram {f.by_platform.get('telegram', 0)}, reminders before bundling "
            f"{f.reminders}{'  ← over' if zalo > limit else ''}"
        )
    print(f"admins' digest on {digest_at:%d/%m/%Y}: {len(digest)} characters ({len(periods)} periods)")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database, imported = await setup(Path(tmp))
        try:
            await measure(database, imported)
        finally:
            await database.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
