"""How far a plan drafted from a document agrees with the plan an engineer transcribed (``plans/46-KH-UBND-2023
.toml``, or a fixture's expected file): the fields of its header, each deadline, who owes the monthly report,
the task refs and the (ref, agency, role) triples. The tests hold the draft to the thresholds of issue 21; the
bench (``bench/plan_reader.py``) prints the same figures for every fixture."""

from __future__ import annotations

from collections.abc import Hashable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from core.deadlines import to_vn
from core.plandiff import StoredPlan
from core.planfile import PlanSpec, load_plan_file
from core.types import Recurrence

HEADER = ("issued_on", "issuing_body", "title", "signer", "signer_title")
ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "tests" / "fixtures" / "plans"
# Each fixture document's expected plan, and the agencies of it the registry does not know (the draft must name
# them as new).
FIXTURES: dict[str, tuple[Path, frozenset[str]]] = {
    "46-KH-UBND-2023": (ROOT / "plans" / "46-KH-UBND-2023.toml", frozenset()),
    "cchc-2026": (DOCUMENTS / "cchc-2026.expected.toml", frozenset()),
    "cds-2026-2030": (DOCUMENTS / "cds-2026-2030.expected.toml", frozenset()),
    "tcd-2026": (DOCUMENTS / "tcd-2026.expected.toml", frozenset({"BTCDT"})),
}


def expected_of(name: str) -> tuple[PlanSpec, frozenset[str]]:
    path, new = FIXTURES[name]
    return load_plan_file(path), new


@dataclass
class Agreement:
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # what → (right, of)
    extra: dict[str, int] = field(default_factory=dict)  # what → found but not in the reference

    def share(self, what: str) -> float:
        right, of = self.rows[what]
        return right / of if of else 1.0

    @property
    def right(self) -> int:
        return sum(r for r, _ in self.rows.values())

    @property
    def total(self) -> int:
        return sum(n for _, n in self.rows.values())

    def summary(self) -> str:
        parts = [
            f"{what} {r}/{n}" + (f" (+{self.extra[what]} extra)" if self.extra.get(what) else "")
            for what, (r, n) in self.rows.items()
        ]
        return "; ".join(parts)


def _day(instant: datetime) -> date:
    if instant.tzinfo is None:  # SQLite gives back naive UTC
        from datetime import UTC

        instant = instant.replace(tzinfo=UTC)
    return to_vn(instant).date()


def _count(what: str, reference: AbstractSet[Hashable], found: AbstractSet[Hashable], out: Agreement) -> None:
    out.rows[what] = (len(reference & found), len(reference))
    out.extra[what] = len(found - reference)


def agree(reference: PlanSpec, stored: StoredPlan, number: str) -> Agreement:
    """Compare the plan stored under ``number`` (the draft, imported) with ``reference``."""
    out = Agreement()
    out.rows["number"] = (int(stored.fields is not None and number == reference.number), 1)
    fields = stored.fields or {}
    for name in HEADER:
        out.rows[name] = (int(fields.get(name) == getattr(reference, name)), 1)
    ref_deadlines = {(s.recurrence.value, p.key, _day(p.due_at)) for s in reference.series for p in s.periods}
    got_deadlines = {
        (str(s.fields["recurrence"]), key, _day(p.due_at))
        for s in stored.series.values()
        for key, p in s.periods.items()
    }
    _count("deadlines", ref_deadlines, got_deadlines, out)
    ref_monthly = {c for s in reference.series if s.recurrence is Recurrence.MONTHLY for c in s.owed_by}
    got_monthly = {c for s in stored.series.values() if s.fields["recurrence"] == "monthly" for c in s.agencies}
    _count("monthly owed by", ref_monthly, got_monthly, out)
    _count("task refs", {(t.ref, t.paragraph) for t in reference.tasks}, set(stored.tasks), out)
    ref_triples = {(t.ref, t.paragraph, code, role.value) for t in reference.tasks for code, role in t.assignments}
    got_triples = {
        (ref, paragraph, code, role.value)
        for (ref, paragraph), task in stored.tasks.items()
        for code, role in task.assignments
    }
    _count("triples", ref_triples, got_triples, out)
    return out


def as_stored(spec: PlanSpec) -> StoredPlan:
    """A plan file's content as the database would hold it after an import (for the bench, which reads without a
    database; the tests import into a real one)."""
    from core.plandiff import StoredPeriod, StoredSeries, StoredTask, plan_fields, series_fields

    return StoredPlan(
        plan_fields(spec),
        {},
        {},
        {
            (t.ref, t.paragraph): StoredTask(t.title, t.text, i, frozenset(t.assignments))
            for i, t in enumerate(spec.tasks)
        },
        {
            s.code: StoredSeries(
                series_fields(s),
                frozenset(s.owed_by),
                {p.key: StoredPeriod(p.label, p.opens_at, p.due_at, frozenset(s.owed_by), 0) for p in s.periods},
            )
            for s in spec.series
        },
    )
