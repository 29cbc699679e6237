"""Benchmark: plan one year of reminders for plan 46's series at 1,000 / 10,000 / 100,000 agencies.

Pure planning (core.planning.planner.plan_reminders), no database. Two cases per size: nobody has
submitted, and half the agencies submitted every period two days before its deadline (so each point
carries its own agency list). Prints wall time and peak traced memory (tracemalloc).

Run: make bench   (or .venv/bin/python bench/plan_reminders.py [sizes…])
"""

from __future__ import annotations

import gc
import platform
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.deadlines import end_of_day, start_of_day
from core.planfile import load_plan_file
from core.planning.calendar import WorkCalendar
from core.planning.planner import PlanningPeriod, plan_reminders
from core.planning.policy import ReminderPolicy
from core.standing import Deadlines

PLAN = Path(__file__).resolve().parent.parent / "plans" / "46-KH-UBND-2023.toml"


def build(n: int, half_submitted: bool) -> tuple[list[PlanningPeriod], dict[tuple[str, int], datetime]]:
    spec = load_plan_file(PLAN)
    agencies = tuple(f"A{i:06d}" for i in range(n))
    periods, subs, pid = [], {}, 0
    for s in spec.series:
        for p in s.periods:
            pid += 1
            periods.append(PlanningPeriod(pid, spec.number, s.code, p.key, p.label, p.opens_at, p.due_at, agencies))
            if half_submitted:
                at = p.due_at - timedelta(days=2)
                subs.update({(code, pid): at for code in agencies[::2]})
    return periods, subs


def measure(n: int, half_submitted: bool) -> tuple[float, float, int]:
    periods, subs = build(n, half_submitted)
    cal = Deadlines(WorkCalendar())
    cal.calendar.is_working_day(date(2023, 1, 1))  # load the holiday table outside the measurement
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    points = plan_reminders(
        periods, subs, cal, start_of_day(date(2023, 1, 1)), end_of_day(date(2023, 12, 31)), ReminderPolicy()
    )
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    recipients = sum(len(p.agencies) for p in points)
    return elapsed, peak / 2**20, recipients


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000]
    print(f"python {platform.python_version()} on {platform.machine()}, plan 46/KH-UBND, year 2023")
    print(f"{'agencies':>9} {'submitted':>10} {'seconds':>8} {'peak MiB':>9} {'agency-points':>14}")
    for n in sizes:
        for half in (False, True):
            secs, mib, recipients = measure(n, half)
            print(f"{n:>9,} {'half' if half else 'none':>10} {secs:>8.3f} {mib:>9.1f} {recipients:>14,}")


if __name__ == "__main__":
    main()
