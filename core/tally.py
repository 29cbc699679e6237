"""The one tally of a period: who sent on time, who late, who not yet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.types import PeriodStatusRow, Standing


@dataclass(frozen=True, slots=True)
class Tally:
    on_time: tuple[PeriodStatusRow, ...]
    late: tuple[PeriodStatusRow, ...]
    missing: tuple[PeriodStatusRow, ...]

    @property
    def total(self) -> int:
        return len(self.on_time) + len(self.late) + len(self.missing)

    @property
    def sent(self) -> int:
        return len(self.on_time) + len(self.late)

    @property
    def reminded(self) -> int:
        return sum(r.reminded for r in (*self.on_time, *self.late, *self.missing))

    @property
    def seen(self) -> int:
        return sum(r.seen for r in (*self.on_time, *self.late, *self.missing))


def tally(rows: Iterable[PeriodStatusRow]) -> Tally:
    groups: dict[Standing, list[PeriodStatusRow]] = {s: [] for s in Standing}
    for r in rows:
        groups[r.standing].append(r)
    return Tally(tuple(groups[Standing.ON_TIME]), tuple(groups[Standing.LATE]), tuple(groups[Standing.MISSING]))
