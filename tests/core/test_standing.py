"""The one standing function: on time, late by N working days, not yet due, overdue by N; and the tally on it.

Working days are those of 2023 as the shipped calendar has them: 29/4–3/5/2023 were days off (Giỗ Tổ Hùng
Vương and 30/4 fell on the weekend; Thông báo 6150/TB-BLĐTBXH gave Tuesday 2/5 and Wednesday 3/5 off).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from core.deadlines import VN_TZ, end_of_day
from core.planning.calendar import DayKind, WorkCalendar
from core.standing import Deadlines, Verdict, judge, past, tally
from core.types import Agency, AgencyKind, PeriodStatusRow, Standing

CAL = Deadlines(WorkCalendar.shipped(), extend_day_off=False)  # the deadlines below are working days anyway
FRI_14_4 = end_of_day(datetime(2023, 4, 14).date())  # "chậm nhất trong ngày 14/4/2023": a Friday
FRI_28_4 = end_of_day(datetime(2023, 4, 28).date())  # the last working day before the 29/4–3/5 holidays


def vn(*args: int) -> datetime:
    return datetime(*args).replace(tzinfo=VN_TZ)  # type: ignore[arg-type]


ON_TIME, LATE, MISSING, NOT_DUE = Standing.ON_TIME, Standing.LATE, Standing.MISSING, Standing.NOT_DUE

CASES = [
    # (what, due, confirmed, now, standing, days)
    ("confirmed days before the deadline", FRI_14_4, vn(2023, 4, 10, 9), vn(2023, 4, 20, 9), ON_TIME, 0),
    ("confirmed in the last second", FRI_14_4, FRI_14_4, vn(2023, 4, 20, 9), ON_TIME, 0),
    ("confirmed one second late, Saturday", FRI_14_4, vn(2023, 4, 15), vn(2023, 4, 20, 9), LATE, 1),
    ("confirmed Monday after a Friday deadline", FRI_14_4, vn(2023, 4, 17, 9), vn(2023, 4, 20, 9), LATE, 1),
    ("confirmed Wednesday", FRI_14_4, vn(2023, 4, 19, 9), vn(2023, 4, 20, 9), LATE, 3),
    ("confirmed after the holidays", FRI_28_4, vn(2023, 5, 4, 8), vn(2023, 5, 10, 9), LATE, 1),
    ("confirmed after the holidays, Friday", FRI_28_4, vn(2023, 5, 5, 8), vn(2023, 5, 10, 9), LATE, 2),
    ("confirmed before now is asked about it", FRI_14_4, vn(2023, 4, 12, 9), vn(2023, 4, 11, 9), ON_TIME, 0),
    ("not sent, a week ahead", FRI_14_4, None, vn(2023, 4, 7, 9), NOT_DUE, 0),
    ("not sent, the deadline's own day", FRI_14_4, None, vn(2023, 4, 14, 16), NOT_DUE, 0),
    ("not sent, the last second", FRI_14_4, None, FRI_14_4, NOT_DUE, 0),
    ("not sent, Saturday after", FRI_14_4, None, vn(2023, 4, 15, 8), MISSING, 1),
    ("not sent, Monday after", FRI_14_4, None, vn(2023, 4, 17, 8), MISSING, 1),
    ("not sent, Thursday after", FRI_14_4, None, vn(2023, 4, 20, 8), MISSING, 4),
    ("not sent, through the holidays", FRI_28_4, None, vn(2023, 5, 3, 8), MISSING, 1),
    ("not sent, after the holidays", FRI_28_4, None, vn(2023, 5, 8, 8), MISSING, 3),
]


@pytest.mark.parametrize(("what", "due", "confirmed", "now", "standing", "days"), CASES, ids=[c[0] for c in CASES])
def test_judge(
    what: str, due: datetime, confirmed: datetime | None, now: datetime, standing: Standing, days: int
) -> None:
    assert judge(due, confirmed, CAL, now) == Verdict(standing, days)


def test_past_is_strictly_after_the_due_instant() -> None:
    assert not past(FRI_14_4, CAL, FRI_14_4)
    assert past(FRI_14_4, CAL, vn(2023, 4, 15))
    assert not past(FRI_14_4, CAL, vn(2023, 4, 14, 16, 59, 59))


def test_a_day_sở_nội_vụ_adds_off_counts_in_the_days() -> None:
    with_day_off = Deadlines(CAL.calendar.with_days({datetime(2023, 4, 17).date(): DayKind.OFF}))
    assert judge(FRI_14_4, vn(2023, 4, 18, 9), with_day_off, vn(2023, 4, 20)) == Verdict(LATE, 1)
    assert judge(FRI_14_4, vn(2023, 4, 18, 9), CAL, vn(2023, 4, 20)) == Verdict(LATE, 2)


def _row(code: str, confirmed: datetime | None) -> PeriodStatusRow:
    return PeriodStatusRow(Agency(1, code, code, AgencyKind.DEPARTMENT, True), confirmed, None)


def test_the_tally_groups_by_standing_in_order() -> None:
    rows = [_row("A", vn(2023, 4, 13)), _row("B", vn(2023, 4, 17)), _row("C", None), _row("D", vn(2023, 4, 14))]
    counted = tally(FRI_14_4, rows, CAL, vn(2023, 4, 20, 9))
    assert [j.row.agency.code for j in counted.on_time] == ["A", "D"]
    assert [j.row.agency.code for j in counted.late] == ["B"]
    assert [(j.row.agency.code, j.verdict.days) for j in counted.overdue] == [("C", 4)]
    assert (counted.total, counted.sent, len(counted.not_sent)) == (4, 3, 1)
    before = tally(FRI_14_4, rows, CAL, vn(2023, 4, 14, 9))
    assert [j.row.agency.code for j in before.not_sent] == ["C"] and before.overdue == ()


# Điều 148 khoản 5, Bộ luật Dân sự 2015: a time limit whose last day is a weekend or a holiday ends at the end of
# the next working day. Saturday 15/8/2026; Thursday 30/4 and Friday 1/5/2026 are public holidays.
LAW, WRITTEN = Deadlines(WorkCalendar.shipped()), Deadlines(WorkCalendar.shipped(), extend_day_off=False)
SAT_15_8 = end_of_day(datetime(2026, 8, 15).date())
THU_30_4 = end_of_day(datetime(2026, 4, 30).date())

DAY_OFF = [
    (
        "confirmed Monday 09:00 after a Saturday deadline",
        SAT_15_8,
        vn(2026, 8, 17, 9),
        vn(2026, 8, 20),
        LAW,
        ON_TIME,
        0,
    ),
    ("…the same, kept as written", SAT_15_8, vn(2026, 8, 17, 9), vn(2026, 8, 20), WRITTEN, LATE, 1),
    ("confirmed Tuesday after a Saturday deadline", SAT_15_8, vn(2026, 8, 18, 9), vn(2026, 8, 20), LAW, LATE, 1),
    ("not sent, Monday evening", SAT_15_8, None, vn(2026, 8, 17, 22), LAW, NOT_DUE, 0),
    ("not sent, Tuesday", SAT_15_8, None, vn(2026, 8, 18, 8), LAW, MISSING, 1),
    ("confirmed after the 30/4–3/5 holidays", THU_30_4, vn(2026, 5, 4, 16), vn(2026, 5, 8), LAW, ON_TIME, 0),
    ("…the same, kept as written", THU_30_4, vn(2026, 5, 4, 16), vn(2026, 5, 8), WRITTEN, LATE, 1),
]


@pytest.mark.parametrize(
    ("what", "due", "confirmed", "now", "deadlines", "standing", "days"), DAY_OFF, ids=[c[0] for c in DAY_OFF]
)
def test_a_deadline_on_a_day_off_runs_to_the_next_working_day(
    what: str,
    due: datetime,
    confirmed: datetime | None,
    now: datetime,
    deadlines: Deadlines,
    standing: Standing,
    days: int,
) -> None:
    assert judge(due, confirmed, deadlines, now) == Verdict(standing, days)


def test_where_the_time_allowed_ends() -> None:
    assert LAW.extended_to(SAT_15_8) == datetime(2026, 8, 17).date()
    assert LAW.end(SAT_15_8) == end_of_day(datetime(2026, 8, 17).date())
    assert WRITTEN.extended_to(SAT_15_8) is None and WRITTEN.end(SAT_15_8) == SAT_15_8
    assert LAW.extended_to(FRI_14_4) is None  # a working day: nothing to extend
