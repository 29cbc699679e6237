"""Dashboard benchmark: how long the compliance matrix page of 2023 takes, end to end over HTTP.

Plan 46 with a year of recorded submissions (every owing agency, every 2023 period, two in three on time),
the same plan with 125 more departments (150 agencies owing 12 periods), and Tuyên Quang in 2026 (issue 22): the
province loaded (13 departments, 124 communes) and three plans of 2026 each owing all 137 a monthly report, with a
year of submissions (the matrix of one of them: 137 agencies × 12 periods, 3 plans in the database). A signed-in
admin asks ``GET /`` of the service's real HTTP server (Starlette on uvicorn, SQLite, the real use-cases and
templates) 30 times; prints the median and the 95th percentile. Target: under 300 ms.

Run: .venv/bin/python bench/dashboard.py (part of `make bench`). Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.deadlines import VN_TZ, utcnow  # noqa: E402
from core.planfile import AgencySpec, PlanSpec, load_plan_bytes, load_plan_file  # noqa: E402
from core.types import OPERATOR, AgencyKind, Role  # noqa: E402
from core.usecases import plan, province, submissions, web_access  # noqa: E402
from core.usecases.plan import import_plan  # noqa: E402
from core.usecases.rules import Rules  # noqa: E402
from models import db  # noqa: E402
from models.uow import uow_factory  # noqa: E402
from nhacviec.http import HttpServer, Readiness, build_app, settle_heap  # noqa: E402
from nhacviec.metrics import Metrics  # noqa: E402
from web.app import dashboard_routes  # noqa: E402
from web.session import COOKIE, Cookies  # noqa: E402

SECRET = "bench-dashboard-secret"
REQUESTS = 30


def with_more_departments(spec: PlanSpec, extra: int) -> PlanSpec:
    more = tuple(AgencySpec(f"X{i:03d}", f"Sở thử nghiệm {i:03d}", AgencyKind.DEPARTMENT, True) for i in range(extra))
    codes = tuple(a.code for a in more)
    series = tuple(replace(s, owed_by=s.owed_by + codes) if s.owed_by else s for s in spec.series)
    return replace(spec, agencies=spec.agencies + more, series=series)


async def _ready() -> None:
    """The benchmark asks for pages only."""


PROVINCE_PLANS = ("21/KH-UBND", "22/KH-UBND", "23/KH-UBND")


async def case(
    spec: PlanSpec,
    folder: Path,
    what: str,
    province_2026: bool = False,
    sent: bool = True,
    requests: int = REQUESTS,
) -> None:
    engine = db.make_engine(f"sqlite+aiosqlite:///{folder / f'{time.monotonic_ns()}.db'}", create=True)
    await db.upgrade(engine)
    uows = uow_factory(db.session_factory(engine))
    rng = random.Random(46)
    async with uows() as uow:
        await import_plan(uow, OPERATOR, spec)
        await uow.commit()
    year, shown = 2023, "46/KH-UBND"
    if province_2026:  # Tuyên Quang's 13 departments and 124 communes, three plans of 2026 owing all of them
        year, shown = 2026, PROVINCE_PLANS[0]
        text = (ROOT / "tests" / "fixtures" / "plans" / "xa-2026.toml").read_text(encoding="utf-8")
        async with uows() as uow:
            await province.load(uow, OPERATOR, "Tuyên Quang", date(2025, 7, 1))
            for number in PROVINCE_PLANS:
                plan_file = text.replace('"21/KH-UBND"', f'"{number}"').replace("2026-01-20", "2026-01-05")
                registry = await plan.registered(uow)
                await import_plan(uow, OPERATOR, load_plan_bytes(plan_file.encode(), number, registry=registry))
            await uow.commit()
    if not province_2026:  # plan 46 and one ad-hoc report of 2023 owed by all: 12 periods
        async with uows() as uow:
            adhoc = await uow.periods.latest_adhoc_series()
            assert adhoc is not None
            codes = [a.code for a in spec.agencies if a.kind in (AgencyKind.DEPARTMENT, AgencyKind.DISTRICT)]
            due = datetime(2023, 12, 20, 17, 0, tzinfo=VN_TZ)
            await uow.periods.add_period(
                adhoc.id, "2023-12-20", "Báo cáo đột xuất: rà soát", due - timedelta(days=10), due, codes
            )
            await uow.commit()
    async with uows() as uow:
        periods = [p for p in await plan.periods(uow) if p.due_at.year == year]
        shown_periods = sum(p.plan_number == shown for p in periods)
        owing = 0
        for p in periods if sent else []:
            for row in await uow.periods.status(p.id):
                late = rng.random() < 1 / 3
                at = p.due_at + (timedelta(days=rng.randint(1, 6)) if late else -timedelta(days=rng.randint(0, 5)))
                await submissions.submit(uow, OPERATOR, row.agency.id, p.id, at, Rules(), f"{rng.randint(1, 999)}/BC")
                owing += 1
        token = await web_access.operator_link(uow, "SNV", Role.ADMIN, "Quản trị viên", utcnow())
        session = await web_access.sign_in(uow, token, utcnow())
        await uow.commit()
    server = HttpServer(
        build_app(
            Readiness(_ready, lambda: ["bench"]), Metrics(uows, 3000), [], dashboard_routes(uows, Rules(), SECRET)
        ),
        "127.0.0.1",
        0,
    )
    server.start()
    settle_heap()  # as the service does once started
    signed = Cookies(SECRET)._signer.dumps(session)
    timings: list[float] = []
    health: list[float] = []  # /healthz asked every 20 ms meanwhile: how long the event loop keeps it waiting
    during_trends: list[float] = []
    phase = {"trends": False}
    done = asyncio.Event()
    # Both clients are made before anything is timed: making one loads the CA certificates on the event loop, which
    # the probe would otherwise count against the server.
    prober = httpx.AsyncClient(base_url=server.url, timeout=30)
    client = httpx.AsyncClient(base_url=server.url, cookies={COOKIE: signed}, timeout=120)
    for _ in range(3):  # warm-up, not timed: the template cache, the connection pool, modules imported on first use
        page = await client.get(f"/?plan={shown}")
        assert page.status_code == 200 and "data-agency" in page.text, page.text[-3000:]
    assert (await client.get(f"/xu-huong?plan={shown}")).status_code == 200
    assert (await prober.get("/healthz")).status_code == 200

    async def probe() -> None:
        while not done.is_set():
            start = time.perf_counter()
            assert (await prober.get("/healthz")).status_code == 200
            (during_trends if phase["trends"] else health).append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.02)

    prober_task = asyncio.create_task(probe())
    for _ in range(requests):
        start = time.perf_counter()
        page = await client.get(f"/?plan={shown}")
        elapsed = time.perf_counter() - start
        assert page.status_code == 200 and "data-agency" in page.text, page.text[-3000:]
        timings.append(elapsed * 1000)
    trends = []
    phase["trends"] = True
    for _ in range(5):
        start = time.perf_counter()
        assert (await client.get(f"/xu-huong?plan={shown}")).status_code == 200
        trends.append((time.perf_counter() - start) * 1000)
    done.set()
    await prober_task
    await prober.aclose()
    await client.aclose()
    await server.stop()
    await engine.dispose()
    agencies = page.text.count("data-agency=")
    p95 = statistics.quantiles(timings, n=20)[18]
    print(
        f"{what:<32} {agencies:>4} × {shown_periods:>2} ({owing:,} submissions)"
        f"  median {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms  page {len(page.content) / 1024:,.0f} KiB"
        f"  /healthz worst {max(health):6.1f} ms ({len(health)} probes)"
        f"  trends median {statistics.median(trends):6.1f} ms, /healthz worst {max(during_trends):6.1f} ms",
        flush=True,
    )


async def main() -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {time.strftime('%Y-%m-%d')}")
    spec = load_plan_file(ROOT / "plans" / "46-KH-UBND-2023.toml")
    with tempfile.TemporaryDirectory() as tmp:
        if "--large-only" not in sys.argv:
            await case(spec, Path(tmp), "plan 46, a year of submissions")
            await case(with_more_departments(spec, 125), Path(tmp), "plan 46 + 125 departments")
            await case(spec, Path(tmp), "Tuyên Quang 2026, 3 plans", province_2026=True)
        # Issue 24: 5,000 agencies, nobody has sent (the worst case for judging cells).
        if "--large" in sys.argv or "--large-only" in sys.argv:
            await case(with_more_departments(spec, 4975), Path(tmp), "5,000 agencies, nothing sent", sent=False,
                       requests=10)  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
