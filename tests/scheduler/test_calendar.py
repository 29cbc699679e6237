"""Vietnamese working days: weekends, public holidays from `holidays`, configured days off and make-up days."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.planning.calendar import KNOWN_SWAPS, CalendarFileError, DayKind, WorkCalendar, load_calendar

CAL = WorkCalendar()


@pytest.mark.parametrize(
    "day",
    [
        date(2023, 1, 2),  # Tết Dương lịch (observed)
        *[date(2023, 1, d) for d in range(20, 27)],  # Tết Nguyên đán 2023
        date(2023, 5, 1),  # Quốc tế Lao động
        date(2023, 5, 2),  # Giỗ Tổ Hùng Vương (29/4 fell on a Saturday)
        date(2023, 5, 3),  # 30/4 fell on a Sunday
        date(2023, 9, 1),
        date(2023, 9, 4),  # Quốc khánh
        date(2023, 4, 15),  # Saturday
        date(2023, 10, 15),  # Sunday
    ],
)
def test_days_off(day: date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", [date(2023, 4, 14), date(2023, 5, 4), date(2023, 9, 5), date(2023, 1, 27)])
def test_working_days(day: date) -> None:
    assert CAL.is_working_day(day)


def test_previous_and_next_working_day() -> None:
    assert CAL.previous_working_day(date(2023, 4, 15)) == date(2023, 4, 14)
    assert CAL.previous_working_day(date(2023, 10, 15)) == date(2023, 10, 13)
    assert CAL.previous_working_day(date(2023, 5, 3)) == date(2023, 4, 28)  # over 29/4–3/5
    assert CAL.previous_working_day(date(2023, 4, 14)) == date(2023, 4, 14)
    assert CAL.previous_working_day(date(2023, 4, 14), inclusive=False) == date(2023, 4, 13)
    assert CAL.next_working_day(date(2023, 4, 28)) == date(2023, 5, 4)
    assert CAL.next_working_day(date(2023, 1, 19)) == date(2023, 1, 27)
    assert CAL.add_working_days(date(2023, 4, 15), 3) == date(2023, 4, 19)
    assert CAL.working_days_between(date(2023, 4, 15), date(2023, 4, 19)) == 3


def test_holiday_names_come_from_the_holidays_package() -> None:
    assert CAL.holiday_name(date(2023, 1, 22)) == "Tết Nguyên Đán"  # in Vietnamese, as `calendar list` shows it
    assert CAL.holiday_name(date(2023, 4, 14)) is None


def test_configured_days_off_and_makeup_days(tmp_path: Path) -> None:
    path = tmp_path / "lich.toml"
    path.write_text(
        '[[days_off]]\ndate = 2023-04-14\nreason = "Nghỉ bù"\n\n'
        '[[makeup_days]]\ndate = 2023-04-15\nreason = "Làm bù"\n',
        encoding="utf-8",
    )
    cal = load_calendar(path)
    assert not cal.is_working_day(date(2023, 4, 14))
    assert cal.is_working_day(date(2023, 4, 15))
    assert cal.previous_working_day(date(2023, 4, 16)) == date(2023, 4, 15)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[days_off]]\ndate = 'mai'\n", "days_off.0.date"),
        ("[[holidays]]\ndate = 2023-01-01\n", "holidays"),
        ("[[days_off]\n", "not valid TOML"),
        ("[[days_off]]\ndate = 2023-04-14\n[[makeup_days]]\ndate = 2023-04-14\n", "both off and a make-up"),
    ],
)
def test_bad_calendar_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "lich.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CalendarFileError, match=message) as info:
        load_calendar(path)
    assert str(path) in str(info.value)


def test_missing_calendar_file(tmp_path: Path) -> None:
    with pytest.raises(CalendarFileError, match="cannot read"):
        load_calendar(tmp_path / "none.toml")


# Which of our shipped swaps the installed `holidays` package already knows. When a new version learns
# one (or forgets one), this fails: look at KNOWN_SWAPS again rather than trusting either blindly.
KNOWN_TO_PACKAGE = {date(2024, 4, 29), date(2024, 5, 4), date(2025, 5, 2), date(2025, 4, 26)}


def test_shipped_swaps_against_the_installed_holidays_package() -> None:
    package = holidays.country_holidays("VN", years=range(2024, 2027))
    for swap in KNOWN_SWAPS:
        assert swap.source, swap  # every shipped day names the document that set it
        known = swap.day in (package if swap.kind is DayKind.OFF else package.weekend_workdays)
        assert known == (swap.day in KNOWN_TO_PACKAGE), swap
    cal = WorkCalendar.shipped()
    for swap in KNOWN_SWAPS:
        assert cal.is_working_day(swap.day) == (swap.kind is DayKind.WORKDAY), swap
    # New Year 2026 (Công văn 12729/VPCP-KGVX): Friday 2/1 off, Saturday 10/1 worked; the package has neither.
    assert cal.previous_working_day(date(2026, 1, 4)) == date(2025, 12, 31)
    assert cal.next_working_day(date(2026, 1, 9)) == date(2026, 1, 10)


def test_stored_days_lay_over_the_shipped_calendar() -> None:
    cal = WorkCalendar.shipped().with_days({date(2026, 1, 2): DayKind.NORMAL, date(2023, 4, 12): DayKind.OFF})
    assert cal.is_working_day(date(2026, 1, 2))  # a shipped swap taken back
    assert not cal.is_working_day(date(2023, 4, 12))
    assert cal.is_working_day(date(2026, 1, 10))  # each day stands alone: its make-up Saturday stays until removed
    assert not cal.with_days({date(2023, 4, 12): DayKind.NORMAL}).is_working_day(date(2023, 4, 15))


def _walked(calendar: WorkCalendar, start: date, end: date) -> int:
    """Working days in (start, end], counted one day at a time (what the arithmetic must agree with)."""
    count, d = 0, start
    while d < end:
        d += timedelta(days=1)
        count += calendar.is_working_day(d)
    return count


@given(
    start=st.dates(date(2019, 1, 1), date(2030, 12, 31)),
    length=st.integers(-10, 1500),
    layered=st.dictionaries(st.dates(date(2019, 1, 1), date(2030, 12, 31)), st.sampled_from(list(DayKind)), max_size=8),
)
def test_working_days_between_counts_as_the_day_by_day_walk(
    start: date, length: int, layered: dict[date, DayKind]
) -> None:
    """Issue 24, finding 4: counted by arithmetic and corrected on the special days, never walked; the same count
    as the walk, over the holidays, the shipped swaps and days laid over them, across years."""
    calendar = WorkCalendar.shipped().with_days(layered)
    end = start + timedelta(days=length)
    assert calendar.working_days_between(start, end) == _walked(calendar, start, end)
