"""Deadline semantics: the plan's Vietnamese wording → the last allowed day → the due instant.

"chậm nhất trong ngày 15" allows day 15 itself: due at 23:59:59 of the 15th (Asia/Ho_Chi_Minh).
"trước ngày 25/5/2023" allows up to the day before: due at 23:59:59 of 24/5/2023.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_DAY = time(23, 59, 59)
MIN_YEAR, MAX_YEAR = 2000, 2100  # deadlines outside this are typing mistakes


class DeadlineWordingError(ValueError):
    """The wording does not say a deadline this module understands."""


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """A deadline as the plan words it.

    ``month``/``year`` are None for a monthly rule ("ngày 15 hàng tháng"); ``year`` is None when
    the wording gives a day and month only (the plan's year applies). ``inclusive`` is True for
    "chậm nhất trong ngày N" (day N allowed) and False for "trước ngày N" (day N not allowed).
    """

    day: int
    month: int | None
    year: int | None
    inclusive: bool

    @property
    def monthly(self) -> bool:
        return self.month is None

    def last_day(self, year: int, month: int | None = None) -> date:
        """The last day allowed, for the given year (and month, for a monthly rule)."""
        if self.monthly:
            if month is None:
                raise ValueError("a monthly deadline needs the month")
            y, m = year, month
        else:
            assert self.month is not None
            y, m = (self.year or year), self.month
        day = min(self.day, calendar.monthrange(y, m)[1])
        target = date(y, m, day)
        return target if self.inclusive else target - timedelta(days=1)

    def due_at(self, year: int, month: int | None = None) -> datetime:
        """The due instant (end of the last allowed day, Vietnam time)."""
        return end_of_day(self.last_day(year, month))


def end_of_day(day: date) -> datetime:
    """23:59:59 of ``day`` in Asia/Ho_Chi_Minh, timezone-aware."""
    return datetime.combine(day, END_OF_DAY, tzinfo=VN_TZ)


def start_of_day(day: date) -> datetime:
    """00:00 of ``day`` in Asia/Ho_Chi_Minh, timezone-aware."""
    return datetime.combine(day, time(0, 0), tzinfo=VN_TZ)


def to_vn(instant: datetime) -> datetime:
    """Show an aware instant in Vietnam time."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: every instant must be timezone-aware")
    return instant.astimezone(VN_TZ)


def utcnow() -> datetime:
    return datetime.now(UTC)


_INCLUSIVE = r"(?:chậm nhất|muộn nhất|hạn chót|không quá|không muộn hơn)\s+(?:(?:là|vào|trong)\s+)?ngày"
_EXCLUSIVE = r"trước\s+ngày"
_MONTHLY = r"([0-9]{1,2})\s+hàng\s+tháng"
_DATE = r"([0-9]{1,2})\s*/\s*([0-9]{1,2})(?:\s*/\s*([0-9]{4}))?"


def _normalise(wording: str) -> str:
    text = unicodedata.normalize("NFC", wording).lower()
    return re.sub(r"\s+", " ", text).strip()


def parse_deadline(wording: str) -> DeadlineRule:
    """Read a Vietnamese deadline phrase into a rule.

    Understood forms (case, spacing and NFC/NFD do not matter):
    "chậm nhất (trong) ngày 15 hàng tháng", "trước ngày 15 hàng tháng",
    "chậm nhất (trong) ngày 25/5/2023", "trước ngày 25/5/2023", "trước ngày 25/5".

    Raises:
        DeadlineWordingError: the phrase matches none of these forms, or names an impossible date.
    """
    text = _normalise(wording)
    for prefix, inclusive in ((_INCLUSIVE, True), (_EXCLUSIVE, False)):
        monthly = re.search(prefix + r"\s+" + _MONTHLY, text)
        if monthly:
            day = int(monthly.group(1))
            if not 1 <= day <= 31:
                raise DeadlineWordingError(f"ngày {day} không hợp lệ trong: {wording!r}")
            return DeadlineRule(day=day, month=None, year=None, inclusive=inclusive)
        fixed = re.search(prefix + r"\s+" + _DATE, text)
        if fixed:
            day, month = int(fixed.group(1)), int(fixed.group(2))
            year = int(fixed.group(3)) if fixed.group(3) else None
            if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
                raise DeadlineWordingError(f"năm {year} nằm ngoài {MIN_YEAR}–{MAX_YEAR} trong: {wording!r}")
            try:
                date(year or 2024, month, day)  # 2024 is a leap year: 29/2 stays valid without a year
            except ValueError as exc:
                raise DeadlineWordingError(f"ngày {day}/{month} không hợp lệ trong: {wording!r}") from exc
            return DeadlineRule(day=day, month=month, year=year, inclusive=inclusive)
    raise DeadlineWordingError(
        f"không hiểu thời hạn {wording!r} (cannot read this deadline wording); "
        "ví dụ: 'chậm nhất trong ngày 15 hàng tháng', 'trước ngày 25/5/2023'"
    )
