"""The one place that decides an agency's standing for a period, and the tally of a period built on it.

An agency that owes a period is, at a given moment: on time (sent by the deadline), late by N working days
(sent after it), not yet due (not sent, the deadline still ahead) or overdue by N working days (not sent, the
deadline passed). The tally, the matrix and trends pages, the chat, the CLI, the digest and the export all
ask ``judge``; nothing else compares a confirmation or the clock with a deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.deadlines import to_vn
from core.planning.calendar import WorkCalendar
from core.types import PeriodStatusRow, Standing


@dataclass(frozen=True, slots=True)
class Verdict:
    """A standing, with the working days late (``LATE``) or overdue so far (``MISSING``); 0 otherwise."""

    standing: Standing
    days: int = 0

    @property
    def sent(self) -> bool:
        return self.standing in (Standing.ON_TIME, Standing.LATE)

    @property
    def due(self) -> bool:
        """The deadline has passed, or the report is in: it counts in on-time rates."""
        return self.standing is not Standing.NOT_DUE


def judge(due_at: datetime, submitted_at: datetime | None, calendar: WorkCalendar, now: datetime) -> Verdict:
    """The standing of one agency for one period at ``now``.

    Late and overdue days are working days after the deadline's day, at least 1 (a report confirmed on the
    Saturday after a Friday deadline is one day late, not zero).
    """
    due_day = to_vn(due_at).date()
    if submitted_at is not None:
        if not past(due_at, calendar, submitted_at):
            return Verdict(Standing.ON_TIME)
        return Verdict(Standing.LATE, max(1, calendar.working_days_between(due_day, to_vn(submitted_at).date())))
    if not past(due_at, calendar, now):
        return Verdict(Standing.NOT_DUE)
    return Verdict(Standing.MISSING, max(1, calendar.working_days_between(due_day, to_vn(now).date())))


def past(due_at: datetime, calendar: WorkCalendar, at: datetime) -> bool:
    """The time allowed has run out at ``at``: a report confirmed then is late, one not in by then overdue."""
    return at > due_at


@dataclass(frozen=True, slots=True)
class Judged:
    """One owing agency's row for a period with its standing."""

    row: PeriodStatusRow
    verdict: Verdict

    @property
    def standing(self) -> Standing:
        return self.verdict.standing


@dataclass(frozen=True, slots=True)
class Tally:
    """Every owing agency of one period by standing, in the order given."""

    rows: tuple[Judged, ...]

    def of(self, *standings: Standing) -> tuple[Judged, ...]:
        return tuple(j for j in self.rows if j.standing in standings)

    @property
    def on_time(self) -> tuple[Judged, ...]:
        return self.of(Standing.ON_TIME)

    @property
    def late(self) -> tuple[Judged, ...]:
        return self.of(Standing.LATE)

    @property
    def overdue(self) -> tuple[Judged, ...]:
        return self.of(Standing.MISSING)

    @property
    def not_sent(self) -> tuple[Judged, ...]:
        """Not sent yet, overdue or not yet due."""
        return self.of(Standing.MISSING, Standing.NOT_DUE)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def sent(self) -> int:
        return len(self.on_time) + len(self.late)

    @property
    def reminded(self) -> int:
        return sum(j.row.reminded for j in self.rows)

    @property
    def seen(self) -> int:
        return sum(j.row.seen for j in self.rows)


def tally(due_at: datetime, rows: Iterable[PeriodStatusRow], calendar: WorkCalendar, now: datetime) -> Tally:
    """The rows of one period, each judged at ``now``."""
    return Tally(tuple(Judged(r, judge(due_at, r.submitted_at, calendar, now)) for r in rows))
