"""Benchmark: how much of each plan document the reader gets right (issue 21).

For every fixture document (tests/fixtures/plans: plan 46 as the published text, .docx, PDF and HTML; three test
plans of other topics in each format), the reader drafts a plan file against the registry the fixture's expected
plan names (the agencies it marks new left out), and the draft is held against the expected plan (plan 46:
plans/46-KH-UBND-2023.toml): header fields, deadlines, who owes the monthly report, task refs, (ref, agency,
role) triples. Prints fields right / fields per fixture and the time each read took. No database: the draft's
plan file is loaded as an import would load it (tests/test_plan_draft.py imports into real databases).

Run: .venv/bin/python bench/plan_reader.py
"""

from __future__ import annotations

import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.planfile import load_plan_bytes  # noqa: E402
from core.reading.draft import draft_plan  # noqa: E402
from core.reading.names import Known  # noqa: E402
from core.usecases.drafting import finish  # noqa: E402
from reader import read_document  # noqa: E402
from tests.plan_agreement import FIXTURES, agree, as_stored, expected_of  # noqa: E402

FORMATS = (".txt", ".docx", ".pdf", ".html")


def main() -> None:
    print(f"plan reader bench, {date.today()}, Python {platform.python_version()}, {platform.machine()}")
    total_right = total = 0
    for name in FIXTURES:
        reference, new = expected_of(name)
        registry = [Known(a.code, a.name, a.kind) for a in reference.agencies if a.code not in new]
        for suffix in FORMATS:
            path = ROOT / "tests" / "fixtures" / "plans" / f"{name}{suffix}"
            started = time.perf_counter()
            drafted = finish(draft_plan(read_document(path.read_bytes(), path.name), registry))
            took = time.perf_counter() - started
            if not drafted.loads:
                print(f"{path.name:28} does not load: {drafted.draft.problems[-1]}")
                continue
            spec = load_plan_bytes(drafted.plan_file.encode(), path.name)
            a = agree(reference, as_stored(spec), spec.number)
            total_right, total = total_right + a.right, total + a.total
            print(f"{path.name:28} {a.right:4}/{a.total:<4} {took * 1000:6.0f} ms  {a.summary()}")
    print(f"all fixtures: {total_right}/{total} fields right ({100 * total_right / max(total, 1):.1f} %)")


if __name__ == "__main__":
    main()
