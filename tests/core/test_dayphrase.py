"""Ad-hoc deadlines said as people say them, read on the working-day calendar; said on Wednesday 9/12/2026."""

from __future__ import annotations

from datetime import date

import pytest

from core.dayphrase import DayPhraseError, read_day
from core.planning.calendar import WorkCalendar

WED = date(2026, 12, 9)
WORK = WorkCalendar.shipped()

CASES = [
    ("thứ Sáu tuần sau", date(2026, 12, 18)),
    ("Thứ 6 tuần sau", date(2026, 12, 18)),
    ("thứ sáu tuần tới", date(2026, 12, 18)),
    ("thứ Sáu", date(2026, 12, 11)),  # the next Friday to come
    ("thứ Hai tuần sau", date(2026, 12, 14)),
    ("thứ Năm tuần này", date(2026, 12, 10)),
    ("chủ nhật", date(2026, 12, 13)),
    ("tuần sau", date(2026, 12, 18)),  # by the end of next week: its last working day
    ("cuối tuần", date(2026, 12, 11)),
    ("cuối tháng", date(2026, 12, 31)),
    ("cuối tháng sau", date(2027, 1, 29)),  # Sunday 31/1/2027: the Friday before
    ("cuối quý", date(2026, 12, 31)),
    ("cuối năm", date(2026, 12, 31)),
    ("ngày 20/12", date(2026, 12, 20)),
    ("20/12/2026", date(2026, 12, 20)),
    ("ngày 5/1", date(2027, 1, 5)),  # said in December: next January
    ("ngày 20 tháng 12 năm 2026", date(2026, 12, 20)),
    ("ngày 15", date(2026, 12, 15)),
    ("ngày 5", date(2027, 1, 5)),  # the 5th has passed this month
    ("trước ngày 20/12", date(2026, 12, 19)),
    ("chậm nhất ngày 18/12/2026", date(2026, 12, 18)),
    ("trong 5 ngày làm việc", date(2026, 12, 16)),
    ("trong vòng 3 ngày làm việc", date(2026, 12, 14)),
    ("trong 10 ngày", date(2026, 12, 19)),
    ("ngày mai", date(2026, 12, 10)),
    ("ngày kia", date(2026, 12, 11)),
    ("ngày mốt", date(2026, 12, 11)),
    ("hôm nay", date(2026, 12, 9)),
]


@pytest.mark.parametrize(("phrase", "day"), CASES, ids=[c[0] for c in CASES])
def test_a_deadline_as_people_say_it(phrase: str, day: date) -> None:
    assert read_day(phrase, WED, WORK) == day


def test_working_days_skip_the_new_year() -> None:
    assert read_day("trong 3 ngày làm việc", date(2026, 12, 30), WORK) == date(2027, 1, 5)  # 1/1 off, weekend


@pytest.mark.parametrize("phrase", ["sớm", "31/2", "hôm qua nữa", "thứ Tám", "ngày 32", ""])
def test_a_phrase_that_names_no_day_is_refused(phrase: str) -> None:
    with pytest.raises(DayPhraseError):
        read_day(phrase, WED, WORK)


@pytest.mark.parametrize(
    ("phrase", "said"),
    [
        ("trước ngày 1/1/0001", "không phải là một ngày có thật"),  # was an OverflowError: a 500 and a traceback
        ("." * 63_000 + "a", "quá dài"),  # the end-anchored regex took 10 s over it
        ("٢٠/١٢/٢٠٢٦", "không hiểu"),  # digits of another script are not read as numbers
    ],
)
def test_absurd_phrases_are_refused_in_a_line(phrase: str, said: str) -> None:
    """Issue 28, finding 9."""
    with pytest.raises(DayPhraseError, match=said):
        read_day(phrase, WED, WORK)


def test_a_long_run_of_punctuation_is_read_in_linear_time() -> None:
    """A phrase under the length limit whose end is a run of dots: stripped, not backtracked over."""
    assert read_day("20/12/2026" + "." * 100, WED, WORK) == date(2026, 12, 20)
