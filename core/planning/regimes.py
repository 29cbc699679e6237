"""Reporting regimes: which periods a series has, what officials call them, when each is due, and what data it
covers (Nghị định 09/2019/NĐ-CP, Điều 12: monthly, quarterly, 6-month, 9-month where asked, and annual reports).

A period is owed when its last day falls after the plan's issue date and within the plan's years (a plan issued
20/1/2026 owes the January report only if it is due after 20/1). Keys stay machine-friendly: ``2026-04``,
``2026-Q1``, ``2026-H1``, ``2026-M9``, ``2026``; labels are as officials say them: "Báo cáo tháng 4/2026",
"Báo cáo quý I/2026", "Báo cáo 6 tháng đầu năm 2026", "Báo cáo 9 tháng năm 2026", "Báo cáo năm 2026".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.deadlines import DeadlineRule, Span, end_of_day
from core.planning.calendar import WorkCalendar
from core.types import Recurrence

ROMAN = ("I", "II", "III", "IV")
# The label of a period when the series gives none; ``name`` is the series' ("Báo cáo quý").
LABELS: dict[Recurrence, str] = {
    Recurrence.MONTHLY: "{name} {month}/{year}",
    Recurrence.QUARTERLY: "{name} {quarter}/{year}",
    Recurrence.SEMI_ANNUAL: "{name} đầu năm {year}",
    Recurrence.NINE_MONTHS: "{name} năm {year}",
    Recurrence.ANNUAL: "{name} {year}",
    Recurrence.DAILY: "{name} {day}/{month}/{year}",  # "Báo cáo ngày 12/6/2026"
    Recurrence.WEEKLY: "{name} {week}/{year} ({first}–{last})",  # "Báo cáo tuần 24/2026 (8/6–12/6)"
}
ND09 = "nd09"  # a series' cutoff: Nghị định 09/2019's, from the 15th of the month before to the 14th of the last


@dataclass(frozen=True, slots=True)
class Unit:
    """One period of a regime, before its deadline: its key, its months, and the words of its label."""

    key: str
    span: Span
    words: dict[str, str]


def units(recurrence: Recurrence, year: int) -> Iterator[Unit]:
    """The periods of a regime in one year, in order."""
    y = str(year)
    if recurrence is Recurrence.MONTHLY:
        for m in range(1, 13):
            yield Unit(f"{year}-{m:02d}", Span(year, m, m), {"month": str(m), "year": y})
    elif recurrence is Recurrence.QUARTERLY:
        for q in range(1, 5):
            yield Unit(f"{year}-Q{q}", Span(year, 3 * q - 2, 3 * q), {"quarter": ROMAN[q - 1], "year": y})
    elif recurrence is Recurrence.SEMI_ANNUAL:
        yield Unit(f"{year}-H1", Span(year, 1, 6), {"year": y})
    elif recurrence is Recurrence.NINE_MONTHS:
        yield Unit(f"{year}-M9", Span(year, 1, 9), {"year": y})
    elif recurrence is Recurrence.ANNUAL:
        yield Unit(f"{year}", Span(year, 1, 12), {"year": y})


def cutoff_nd09(span: Span) -> tuple[date, date]:
    """Nghị định 09/2019, Điều 12: data from the 15th of the month before the period to the 14th of its last month
    (quý I/2026: 15/12/2025 – 14/3/2026)."""
    before = date(span.year, span.first, 1) - timedelta(days=1)
    return date(before.year, before.month, 15), date(span.year, span.last, 14)


class RegimeError(ValueError):
    """The wording does not suit the series' recurrence; the message says which field and what would."""


def check(recurrence: Recurrence, rule: DeadlineRule) -> None:
    """Refuse a deadline wording that cannot place each period of ``recurrence``.

    Raises:
        RegimeError: a day of each month for other than monthly reports, or a date for reports several a year.
    """
    if recurrence is Recurrence.DAILY and not rule.daily:
        raise RegimeError(
            "field 'wording': a daily report needs an hour of each day: 'trước 19h00 hằng ngày', "
            "'chậm nhất 16 giờ các ngày làm việc'"
        )
    if recurrence is Recurrence.WEEKLY and not rule.weekly:
        raise RegimeError(
            "field 'wording': a weekly report needs a day of each week: 'trước 15h00 thứ Năm hằng tuần', "
            "'chậm nhất thứ Sáu hằng tuần'"
        )
    if (rule.daily or rule.weekly) and recurrence not in (Recurrence.DAILY, Recurrence.WEEKLY):
        raise RegimeError(
            f"field 'wording': an hour of each day or a day of each week suits a daily or weekly report, not a "
            f"{recurrence.value} one"
        )
    if rule.monthly and recurrence is not Recurrence.MONTHLY:
        raise RegimeError(
            "field 'wording': a day of each month ('ngày N hàng tháng') suits monthly reports only; a quarterly "
            "one reads like 'trước ngày 05 tháng cuối cùng của mỗi quý' (a day of the period's last month)"
        )
    if rule.yearly and recurrence in (Recurrence.MONTHLY, Recurrence.QUARTERLY):
        raise RegimeError(
            f"field 'wording': a date ('trước ngày 25/5') suits a report of once a year, not a {recurrence.value} "
            "one; say which day of which month: 'chậm nhất trong ngày 15 hàng tháng', 'ngày 20 của tháng cuối quý'"
        )


@dataclass(frozen=True, slots=True)
class Period:
    key: str
    label: str
    opens_on: date
    last_day: date
    data_from: date | None
    data_to: date | None
    due: datetime | None = None  # a daily or weekly report's due instant (its hour); else the end of ``last_day``

    @property
    def due_at(self) -> datetime:
        return self.due or end_of_day(self.last_day)


def periods(
    recurrence: Recurrence,
    rule: DeadlineRule,
    name: str,
    issued_on: date,
    years: tuple[int, int],
    work: WorkCalendar,
    label: str | None = None,
    cutoff: str | None = None,
    first_month: int | None = None,
    last_month: int | None = None,
) -> list[Period]:
    """The periods a series owes: each whose last day falls after ``issued_on`` and within ``years`` (monthly ones
    also within ``first_month`` of the first year and ``last_month`` of the last). Each opens on the 1st of its own
    month (monthly) or of the month before its deadline (the others), never before the plan was issued nor after
    its own last day.

    Raises:
        RegimeError: as ``check`` says.
    """
    check(recurrence, rule)
    first_year, last_year = years
    if recurrence in (Recurrence.DAILY, Recurrence.WEEKLY):
        return _days(recurrence, rule, name, issued_on, years, work, label)
    out = []
    for year in range(first_year - 1, last_year + 1):  # a deadline may fall a year after its period
        for unit in units(recurrence, year):
            if rule.year is not None and unit.span.year != rule.year:
                continue  # a date with its year ("trước ngày 25/5/2023") is owed once, for that year's period
            if first_month and (unit.span.year, unit.span.first) < (first_year, first_month):
                continue
            if last_month and (unit.span.year, unit.span.last) > (last_year, last_month):
                continue
            last_day = rule.last_day(unit.span, work)
            if not (last_day > issued_on and first_year <= last_day.year <= last_year):
                continue
            monthly = recurrence is Recurrence.MONTHLY
            opens = date(unit.span.year, unit.span.first, 1) if monthly else _month_before(last_day)
            data = cutoff_nd09(unit.span) if cutoff == ND09 else (None, None)
            text = fill(label or LABELS[recurrence], {"name": name, **unit.words})
            out.append(Period(unit.key, text, max(issued_on, min(opens, last_day)), last_day, *data))
    return out


PLACEHOLDER = re.compile(r"\{(\w*)\}")
WORDS = ("name", "day", "week", "month", "quarter", "year", "first", "last")
MAX_DAYS = 3 * 366  # a daily series over at most three years: emergencies and campaigns are short


def fill(template: str, words: dict[str, str]) -> str:
    """``template`` with {name}, {day}, {week}, {month}, {quarter}, {year}, {first} and {last} filled in (nothing
    else of str.format is read)."""
    return PLACEHOLDER.sub(lambda m: words.get(m.group(1), m.group(0)), template)


def unknown_words(template: str) -> list[str]:
    """The placeholders of a label template that are not among ``WORDS``."""
    return [w for w in PLACEHOLDER.findall(template) if w not in WORDS]


def _month_before(day: date) -> date:
    first = date(day.year, day.month, 1) - timedelta(days=1)
    return date(first.year, first.month, 1)


def _days(
    recurrence: Recurrence,
    rule: DeadlineRule,
    name: str,
    issued_on: date,
    years: tuple[int, int],
    work: WorkCalendar,
    label: str | None,
) -> list[Period]:
    """A daily report's days (every day, or working days when the plan says so) or a weekly report's weeks (ISO
    weeks, due on the plan's day of each), from the day after the plan is issued to the end of its last year; each
    opens on its own day (daily) or six days before its deadline (weekly)."""
    out: list[Period] = []
    first = max(issued_on + timedelta(days=1), date(years[0], 1, 1))
    last = min(date(years[1], 12, 31), first + timedelta(days=MAX_DAYS))
    template = label or LABELS[recurrence]
    if recurrence is Recurrence.DAILY:
        day = first
        while day <= last:
            if not rule.working_only or work.is_working_day(day):
                words = {"name": name, "day": str(day.day), "month": str(day.month), "year": str(day.year)}
                out.append(Period(day.isoformat(), fill(template, words), day, day, None, None, rule.due_on(day)))
            day += timedelta(days=1)
        return out
    assert rule.weekday is not None
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        day = monday + timedelta(days=rule.weekday)
        due = rule.due_on(day)
        if first <= day <= last and due.date() >= issued_on:
            iso = day.isocalendar()
            friday = monday + timedelta(days=4)
            words = {
                "name": name,
                "week": str(iso.week),
                "year": str(iso.year),
                "first": f"{monday.day}/{monday.month}",
                "last": f"{friday.day}/{friday.month}",
            }
            key = f"{iso.year}-W{iso.week:02d}"
            opens = max(issued_on, day - timedelta(days=6))  # the seven days up to its deadline
            out.append(Period(key, fill(template, words), opens, due.date(), None, None, due))
        monday += timedelta(days=7)
    return out
