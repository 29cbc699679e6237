"""A deadline as people say it in Vietnamese, for requests made on the day (an ad-hoc report): "thứ Sáu tuần sau",
"cuối tháng", "cuối quý", "ngày 20/12", "trong 5 ngày làm việc", "ngày kia", "tuần sau" → a day, always shown back
for confirmation before anything is saved.

A small grammar of our own rather than dateparser: dateparser (the well-kept library for dates in many languages)
reads neither "cuối tháng" nor "ngày kia", nor the working days that office deadlines count, and its Vietnamese
takes "thứ Sáu" for this week's even when that day has passed. Each form here is a table row with its example.

"End of" a week, month, quarter or year is its last working day; "in N working days" counts on the same calendar
as every other deadline. A named day is the day named, working or not (Điều 148 then runs a deadline on a day off to
the next working day).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from core.planning.calendar import WorkCalendar

EXAMPLES = "“thứ Sáu tuần sau”, “cuối tháng”, “cuối quý”, “ngày 20/12”, “trong 5 ngày làm việc”, “ngày kia”"
WEEKDAYS = {"hai": 0, "ba": 1, "tư": 2, "tu": 2, "năm": 3, "nam": 3, "sáu": 4, "sau": 4, "bảy": 5, "bay": 5}


class DayPhraseError(ValueError):
    """The phrase says no day this grammar reads; the message quotes it and gives examples."""


@dataclass(frozen=True, slots=True)
class Form:
    name: str
    pattern: str
    day: Callable[[re.Match[str], date, WorkCalendar], date]


def _weekday(word: str) -> int:
    """ "sáu" → 4 (Friday), "6" → 4, "chủ nhật" → 6."""
    if word in ("chủ nhật", "cn"):
        return 6
    if word.isdigit():
        return int(word) - 2
    return WEEKDAYS[word]


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _named_weekday(m: re.Match[str], today: date, work: WorkCalendar) -> date:
    wanted = _weekday(m.group(1) or m.group(2))
    which = m.group(3) or ""
    if which in ("tuần sau", "tuần tới"):
        return _week_start(today) + timedelta(days=7 + wanted)
    if which == "tuần này":
        return _week_start(today) + timedelta(days=wanted)
    ahead = (wanted - today.weekday()) % 7 or 7  # "thứ Sáu" alone: the next one to come
    return today + timedelta(days=ahead)


def _last_working(first: date, last: date, work: WorkCalendar) -> date:
    """The last working day of first..last (the last day itself when none is)."""
    day = work.previous_working_day(last)
    return day if day >= first else last


def _end_of_week(m: re.Match[str], today: date, work: WorkCalendar) -> date:
    start = _week_start(today) + timedelta(days=7 if m.group(1) in ("sau", "tới") else 0)
    return _last_working(start, start + timedelta(days=6), work)


def _end_of_month(m: re.Match[str], today: date, work: WorkCalendar) -> date:
    y, mo = today.year, today.month
    if m.group(1) in ("sau", "tới"):
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return _last_working(date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1]), work)


def _end_of_quarter(m: re.Match[str], today: date, work: WorkCalendar) -> date:
    q = (today.month - 1) // 3 + (1 if m.group(1) in ("sau", "tới") else 0)
    y, q = today.year + q // 4, q % 4
    first, last_month = date(y, 3 * q + 1, 1), 3 * q + 3
    return _last_working(first, date(y, last_month, calendar.monthrange(y, last_month)[1]), work)


def _end_of_year(m: re.Match[str], today: date, work: WorkCalendar) -> date:
    y = today.year + (1 if m.group(1) in ("sau", "tới") else 0)
    return _last_working(date(y, 1, 1), date(y, 12, 31), work)


def _dated(m: re.Match[str], today: date, work: WorkCalendar) -> date:
    d, mo, y = int(m.group(1)), int(m.group(2)), m.group(3)
    if y:
        return date(int(y), mo, d)
    this_year = date(today.year, mo, d)
    return this_year if this_year >= today else date(today.year + 1, mo, d)  # "20/12" said in January: next one


def _day_of_month(m: re.Match[str], today: date, work: WorkCalendar) -> date:
    d = int(m.group(1))
    this_month = date(today.year, today.month, d) if d <= calendar.monthrange(today.year, today.month)[1] else None
    if this_month is not None and this_month >= today:
        return this_month
    y, mo = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(y, mo, d)


MAX_PHRASE = 120  # characters: "chậm nhất là thứ Sáu tuần sau" is 29 (how far ahead is the use-case's to say)

_NEXT = r"(?:\s+(này|sau|tới))?"
FORMS: tuple[Form, ...] = (
    Form("hôm nay", r"hôm nay", lambda m, t, w: t),
    Form("ngày mai", r"(?:ngày )?mai", lambda m, t, w: t + timedelta(days=1)),
    Form("ngày kia", r"(?:ngày )?(?:kia|mốt)", lambda m, t, w: t + timedelta(days=2)),
    Form(
        "thứ Sáu tuần sau",
        r"(?:thứ (hai|ba|tư|tu|năm|nam|sáu|sau|bảy|bay|[2-7])|(chủ nhật|cn))"
        r"(?: (tuần này|tuần sau|tuần tới))?",
        _named_weekday,
    ),
    Form("cuối tuần", r"cuối tuần" + _NEXT, _end_of_week),
    Form("tuần sau", r"(?:trong )?tuần (sau|tới)", lambda m, t, w: _end_of_week(m, t, w)),
    Form("cuối tháng", r"cuối tháng" + _NEXT, _end_of_month),
    Form("cuối quý", r"cuối quý" + _NEXT, _end_of_quarter),
    Form("cuối năm", r"cuối năm" + _NEXT, _end_of_year),
    Form(
        "trong 5 ngày làm việc",
        r"(?:trong (?:vòng |thời hạn )?|sau )?([0-9]{1,2}) ngày làm việc(?: nữa| tới)?",
        lambda m, t, w: w.add_working_days(t, int(m.group(1))),
    ),
    Form(
        "trong 10 ngày",
        r"(?:trong (?:vòng )?|sau )?([0-9]{1,3}) ngày(?: nữa| tới)?",
        lambda m, t, w: t + timedelta(days=int(m.group(1))),
    ),
    Form("ngày 20/12/2026", r"(?:ngày )?([0-9]{1,2}) ?[/.-] ?([0-9]{1,2})(?: ?[/.-] ?([0-9]{4}))?", _dated),
    Form("ngày 20 tháng 12", r"(?:ngày )?([0-9]{1,2}) tháng ([0-9]{1,2})(?: năm ([0-9]{4}))?", _dated),
    Form("ngày 20", r"ngày ([0-9]{1,2})", _day_of_month),
)


def normalise(phrase: str) -> str:
    text = unicodedata.normalize("NFC", phrase).lower().replace("hằng", "hàng")
    text = text.strip().rstrip(",;.!?“”\"'")  # not a regex anchored at the end: "." × 63,000 + "a" was quadratic
    return " ".join(text.split())


def read_day(phrase: str, today: date, work: WorkCalendar) -> date:
    """The day ``phrase`` names, said on ``today``.

    Raises:
        DayPhraseError: no form reads the whole phrase, or it names a day that does not exist (31/2).
    """
    if len(phrase) > MAX_PHRASE:
        raise DayPhraseError(f"“{phrase.strip()[:60]}…” quá dài; ví dụ: {EXAMPLES}")
    text = normalise(phrase)
    before = text.startswith("trước ")  # "trước ngày 20/12": the 19th is the last day allowed
    text = re.sub(r"^(?:hạn chót(?: là)? |chậm nhất(?: là| vào)? |trước |vào )", "", text)
    for form in FORMS:
        m = re.fullmatch(form.pattern, text)
        if m is None:
            continue
        try:
            day = form.day(m, today, work)
            day = day - timedelta(days=1) if before else day
        except (ValueError, OverflowError) as exc:
            raise DayPhraseError(f"“{phrase.strip()[:60]}” không phải là một ngày có thật") from exc
        return day
    raise DayPhraseError(f"không hiểu “{phrase.strip()[:60]}”; ví dụ: {EXAMPLES}")
