"""The one place that decides an agency's standing for a period, and the tally of a period built on it.

An agency that owes a period is, at a given moment: on time (sent by the deadline), late by N working days
(sent after it), not yet due (not sent, the deadline still ahead) or overdue by N working days (not sent, the
deadline passed). The tally, the matrix and trends pages, the chat, the CLI, the digest and the export all
ask ``judge``; nothing else compares a confirmation or the clock with a deadline.

When the time allowed ends is ``Deadlines``' to say: the plan's last day, or, when that day is a weekend or a
holiday, the end of the next working day (Bộ luật Dân sự 2015, Điều 148 khoản 5: "Trường hợp ngày cuối cùng của
thời hạn là ngày nghỉ cuối tuần hoặc ngày nghỉ lễ thì thời hạn kết thúc tại thời điểm kết thúc ngày làm việc tiếp
theo ngày nghỉ đó"), unless the service is set to keep deadlines as written (DEADLINE_ON_DAY_OFF=as_written).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from core.deadlines import END_OF_DAY, end_of_day, to_vn
from core.planning.calendar import WorkCalendar
from core.types import PeriodStatusRow, Standing


def at_an_hour(due_at: datetime) -> bool:
    """A deadline at an hour of the day (a daily or weekly report's), not at the end of a day."""
    return to_vn(due_at).time() != END_OF_DAY


@dataclass(frozen=True)
class Deadlines:
    """The working-day calendar, and whether a deadline on a day off runs to the next working day (Điều 148)."""

    calendar: WorkCalendar
    extend_day_off: bool = True

    def written_day(self, due_at: datetime) -> date:
        return to_vn(due_at).date()

    def extended_to(self, due_at: datetime) -> date | None:
        """The working day the time allowed runs to, when the plan's last day is a day off and the law applies."""
        day = self.written_day(due_at)
        if not self.extend_day_off or self.calendar.is_working_day(day) or at_an_hour(due_at):
            return None  # an hour the plan sets ("trước 19h00 hằng ngày") is kept, day off or not: it asks for that day
        return self.calendar.next_working_day(day)

    def last_day(self, due_at: datetime) -> date:
        """The last day a report counts as on time."""
        return self.extended_to(due_at) or self.written_day(due_at)

    def end(self, due_at: datetime) -> datetime:
        """The instant the time allowed ends."""
        extended = self.extended_to(due_at)
        return end_of_day(extended) if extended else due_at


@dataclass(frozen=True, slots=True)
class Verdict:
    """A standing, with the working days late (``LATE``) or overdue so far (``MISSING``); 0 otherwise."""

    standing: Standing
    days: int = 0


def judge(due_at: datetime, submitted_at: datetime | None, deadlines: Deadlines, now: datetime) -> Verdict:
    """The standing of one agency for one period at ``now``.

    Late and overdue days are working days after the last day allowed, at least 1 (a report confirmed on the
    Saturday after a Friday deadline is one day late, not zero).
    """
    last = deadlines.last_day(due_at)
    work = deadlines.calendar
    if submitted_at is not None:
        if not past(due_at, deadlines, submitted_at):
            return Verdict(Standing.ON_TIME)
        return Verdict(Standing.LATE, max(1, work.working_days_between(last, to_vn(submitted_at).date())))
    if not past(due_at, deadlines, now):
        return Verdict(Standing.NOT_DUE)
    return Verdict(Standing.MISSING, max(1, work.working_days_between(last, to_vn(now).date())))


def due_within(due_at: datetime, deadlines: Deadlines, first: date, last: date) -> bool:
    """Whether the plan's last day, or the working day the law runs it to, falls in [first, last] (a week)."""
    return first <= deadlines.written_day(due_at) <= last or first <= deadlines.last_day(due_at) <= last


def past(due_at: datetime, deadlines: Deadlines, at: datetime) -> bool:
    """The time allowed has run out at ``at``: a report confirmed then is late, one not in by then overdue."""
    return at > deadlines.end(due_at)


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


def tally(due_at: datetime, rows: Iterable[PeriodStatusRow], deadlines: Deadlines, now: datetime) -> Tally:
    """The rows of one period, each judged at ``now``."""
    return Tally(tuple(Judged(r, judge(due_at, r.submitted_at, deadlines, now)) for r in rows))
