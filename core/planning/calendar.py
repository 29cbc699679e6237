"""Vietnamese working days: Monday–Friday minus public holidays (the `holidays` package), plus
configured extra days off and make-up working days ("ngày làm bù")."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import holidays
from pydantic import BaseModel, ConfigDict, ValidationError


class CalendarFileError(ValueError):
    """The calendar file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class WorkCalendar:
    extra_days_off: frozenset[date] = frozenset()
    makeup_days: frozenset[date] = frozenset()
    _holidays: holidays.HolidayBase = field(
        default_factory=lambda: holidays.country_holidays("VN"), compare=False, repr=False
    )

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_days:
            return True
        if day in self.extra_days_off or day.weekday() >= 5:
            return False
        return day not in self._holidays

    def previous_working_day(self, day: date, inclusive: bool = True) -> date:
        """``day`` itself when it is a working day (and ``inclusive``), else the closest one before it."""
        d = day if inclusive else day - timedelta(days=1)
        while not self.is_working_day(d):
            d -= timedelta(days=1)
        return d

    def next_working_day(self, day: date, inclusive: bool = False) -> date:
        """The closest working day after ``day`` (or ``day`` itself when ``inclusive`` and working)."""
        d = day if inclusive else day + timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (n >= 1)."""
        d = day
        for _ in range(n):
            d = self.next_working_day(d)
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        count, d = 0, start
        while d < end:
            d += timedelta(days=1)
            count += self.is_working_day(d)
        return count


class _Day(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: date
    reason: str = ""


class _CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days_off: list[_Day] = []
    makeup_days: list[_Day] = []


def load_calendar(path: Path | None) -> WorkCalendar:
    """The calendar with the extra days of ``path`` (TOML with [[days_off]] and [[makeup_days]])."""
    if path is None:
        return WorkCalendar()
    try:
        data = _CalendarIn.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise CalendarFileError(f"{path}: cannot read the file: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CalendarFileError(f"{path}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        where = "; ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in exc.errors())
        raise CalendarFileError(f"{path}: {where}") from exc
    off = frozenset(d.date for d in data.days_off)
    makeup = frozenset(d.date for d in data.makeup_days)
    both = off & makeup
    if both:
        raise CalendarFileError(f"{path}: a day cannot be both off and a make-up working day: {sorted(both)}")
    return WorkCalendar(off, makeup)
