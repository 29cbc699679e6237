"""Deadline semantics: the plan's Vietnamese wording → a rule → each period's last allowed day → the due instant.

The plan's words are the source; the system computes. The wording is read by one table of phrase forms
(``FORMS``), each built from a real sentence of a plan or a circular, named with its source in
``tests/core/test_deadlines.py``:

- a day of the period's own month: "chậm nhất trong ngày 15 hàng tháng" (monthly reports);
- a day of the last month of the period: "trước ngày 05 tháng cuối cùng của mỗi quý", "chậm nhất là ngày 20 của
  tháng cuối kỳ báo cáo";
- a day of the first month after the period: "ngày 10 của tháng đầu quý sau", "ngày 5 tháng sau";
- a date, each year or once: "trước ngày 25/11 hàng năm", "trước ngày 15/9 hằng năm", "trước ngày 25/5/2023",
  "chậm nhất ngày 14 tháng 3 năm 2023";
- working days after the period ends: "trong thời hạn 5 ngày làm việc kể từ ngày kết thúc quý";
- an hour of each day or of a day of each week (daily and weekly reports of emergency and campaign plans):
  "trước 19h00 hằng ngày", "chậm nhất 16 giờ các ngày làm việc", "trước 15h00 thứ Năm hằng tuần".

"chậm nhất", "muộn nhất", "hạn chót", "không quá", "không muộn hơn", "đến hết", "trong ngày" allow the day itself
(due at 23:59:59 of it, Asia/Ho_Chi_Minh); "trước ngày N" allows up to the day before. Leading zeros, "hằng" or
"hàng", case, spacing and NFC/NFD do not matter; the rest of the sentence ("Báo cáo quý gửi …") is read past.
A wording no form reads is refused with a message that names it and gives examples.
"""

from __future__ import annotations

import calendar
import enum
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.planning.calendar import WorkCalendar

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_DAY = time(23, 59, 59)
MIN_YEAR, MAX_YEAR = 2000, 2100  # deadlines outside this are typing mistakes
EXAMPLES = (
    "'chậm nhất trong ngày 15 hàng tháng', 'trước ngày 05 tháng cuối cùng của mỗi quý', "
    "'chậm nhất là ngày 20 của tháng cuối kỳ báo cáo', 'ngày 10 của tháng đầu quý sau', "
    "'trước ngày 25/11 hằng năm', 'trước ngày 25/5/2023', "
    "'trong thời hạn 5 ngày làm việc kể từ ngày kết thúc quý'"
)


class DeadlineWordingError(ValueError):
    """The wording does not say a deadline this module understands."""


class Month(enum.StrEnum):
    """Which month a day-of-month deadline falls in, for a period."""

    OWN = "own"  # the period's own month ("ngày 15 hàng tháng"): monthly reports
    LAST = "last"  # the last month of the period ("tháng cuối quý", "tháng cuối kỳ báo cáo")
    NEXT = "next"  # the first month after the period ("tháng đầu quý sau", "tháng sau")


@dataclass(frozen=True, slots=True)
class Span:
    """A reporting period: months ``first``..``last`` of ``year``."""

    year: int
    first: int
    last: int

    @property
    def end(self) -> date:
        """Its last day."""
        return date(self.year, self.last, calendar.monthrange(self.year, self.last)[1])

    def month_after(self) -> tuple[int, int]:
        """(year, month) of the first month after the period."""
        return (self.year + 1, 1) if self.last == 12 else (self.year, self.last + 1)


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """A deadline as the plan words it; exactly one way of placing it is set.

    ``of`` with ``day``: a day of a month relative to the period. ``month`` with ``day``: a date each year, or once
    when ``year`` is set. ``working_days``: that many working days after the period ends (the last of them is the
    last day allowed). ``inclusive``: the day named is allowed ("chậm nhất trong ngày N"), else not ("trước ngày N").
    """

    inclusive: bool
    day: int = 0
    of: Month | None = None
    month: int | None = None
    year: int | None = None
    working_days: int = 0
    # Daily and weekly reports: the hour ("trước 19h00"), each day (``every_day``; on working days only with
    # ``working_only``) or on a day of each week (``weekday``, 0 for Monday).
    at: time | None = None
    every_day: bool = False
    working_only: bool = False
    weekday: int | None = None

    @property
    def daily(self) -> bool:
        return self.every_day

    @property
    def weekly(self) -> bool:
        return self.weekday is not None

    def due_on(self, day: date) -> datetime:
        """The due instant of a daily or weekly report due on ``day``: "trước 19h00" is 18:59:59, "chậm nhất 16 giờ"
        16:00; with no hour, the end of the day ("chậm nhất thứ Sáu") or of the day before ("trước thứ Sáu")."""
        if self.at is None:
            return end_of_day(day if self.inclusive else day - timedelta(days=1))
        at = datetime.combine(day, self.at, tzinfo=VN_TZ)
        return at if self.inclusive else at - timedelta(seconds=1)

    @property
    def monthly(self) -> bool:
        """A day of each period's own month: only monthly reports can be due so."""
        return self.of is Month.OWN

    @property
    def yearly(self) -> bool:
        """A date: each year (or once), so only for reports of which there is one a year."""
        return self.month is not None

    def last_day(self, span: Span, work: WorkCalendar | None = None) -> date:
        """The last day allowed for the period ``span`` (the calendar counts working days, when the rule does)."""
        if self.working_days:
            return (work or WorkCalendar.shipped()).add_working_days(span.end, self.working_days)
        if self.month is not None:
            y, m = self.year or span.year, self.month
        elif self.of is Month.NEXT:
            y, m = span.month_after()
        else:
            y, m = span.year, span.last  # OWN and LAST: for a monthly period its own month is its last
        target = date(y, m, min(self.day, calendar.monthrange(y, m)[1]))
        return target if self.inclusive else target - timedelta(days=1)

    def due_at(self, span: Span, work: WorkCalendar | None = None) -> datetime:
        """The due instant (end of the last allowed day, Vietnam time)."""
        return end_of_day(self.last_day(span, work))


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


# ----------------------------------------------------------------------------------------------- the grammar

_INCLUSIVE = r"(?:chậm nhất|muộn nhất|hạn chót|không quá|không muộn hơn|đến hết|trong)(?: (?:là|vào|trong|đến))*"
_EXCLUSIVE = r"trước"
_DAY = r"ngày (\d{1,2})"
_PERIOD_WORD = r"(?:quý|kỳ(?: báo cáo)?|năm|6 tháng|9 tháng|tháng|thời kỳ báo cáo)"
_AFTER = r"(?:sau|tiếp theo|kế tiếp)"


# "vào ngày 10 …", "ngày 10 …" alone: the day named is allowed, as with "chậm nhất".
MARKED = ((_INCLUSIVE + " ", True), (_EXCLUSIVE + " ", False), ("", True))


@dataclass(frozen=True, slots=True)
class Form:
    """One way plans word a deadline: ``pattern`` (of normalised text) after one of ``markers`` (the marker says
    whether the day named is allowed)."""

    name: str
    pattern: str
    build: Callable[[re.Match[str], bool], DeadlineRule]
    markers: tuple[tuple[str, bool], ...] = MARKED


def _ints(m: re.Match[str]) -> list[int]:
    return [int(g) for g in m.groups() if g is not None]


# "19h00", "19h", "19 giờ", "9 giờ 30 phút", "16g30" (the prime of "19h00'" is dropped by ``normalise``)
_TIME = r"(\d{1,2}) ?(?:h|giờ|g)(?: ?(\d{2})(?: ?phút)?)?"
_WEEKDAYS = {"hai": 0, "ba": 1, "tư": 2, "năm": 3, "sáu": 4, "bảy": 5, "2": 0, "3": 1, "4": 2, "5": 3, "6": 4, "7": 5}
_WEEKDAY = r"(?:ngày )?thứ (hai|ba|tư|năm|sáu|bảy|[2-7])"


def _hour(m: re.Match[str], first: int = 1) -> time:
    hour, minute = int(m.group(first)), int(m.group(first + 1) or 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise DeadlineWordingError(f"giờ {hour}:{minute:02d} không hợp lệ")
    return time(hour, minute)


FORMS: tuple[Form, ...] = (
    Form(
        "an hour of a day of each week",
        rf"{_TIME} {_WEEKDAY} (?:hàng|mỗi|các) tuần",
        lambda m, inc: DeadlineRule(inc, at=_hour(m), weekday=_WEEKDAYS[m.group(3)]),
    ),
    Form(
        "a day of each week",
        rf"{_WEEKDAY} (?:hàng|mỗi|các) tuần",
        lambda m, inc: DeadlineRule(inc, weekday=_WEEKDAYS[m.group(1)]),
    ),
    Form(
        "an hour of each day",
        rf"{_TIME} (?:(?:hàng|mỗi) ngày|(?:các |mỗi )?(ngày làm việc))",
        lambda m, inc: DeadlineRule(inc, at=_hour(m), every_day=True, working_only=m.group(3) is not None),
    ),
    Form(
        "working days after the period",
        rf"(?:(?:thời hạn|vòng) )?(\d{{1,2}}) ngày làm việc(?: kể)? (?:từ|sau)(?: khi)?(?: ngày)? kết thúc "
        rf"{_PERIOD_WORD}",
        lambda m, inc: DeadlineRule(True, working_days=_ints(m)[0]),
        (("", True),),  # "trong thời hạn N ngày làm việc…": the N-th working day is allowed
    ),
    Form(
        "a date once (d/m/y)",
        rf"{_DAY} ?/ ?(\d{{1,2}}) ?/ ?(\d{{4}})",
        lambda m, inc: DeadlineRule(inc, day=_ints(m)[0], month=_ints(m)[1], year=_ints(m)[2]),
    ),
    Form(
        "a date once (ngày d tháng m năm y)",
        rf"{_DAY} tháng (\d{{1,2}}) năm (\d{{4}})",
        lambda m, inc: DeadlineRule(inc, day=_ints(m)[0], month=_ints(m)[1], year=_ints(m)[2]),
    ),
    Form(
        "a date each year (d/m)",
        rf"{_DAY} ?/ ?(\d{{1,2}})(?! ?/)",
        lambda m, inc: DeadlineRule(inc, day=_ints(m)[0], month=_ints(m)[1]),
    ),
    Form(
        "a day of the last month of the period",
        rf"{_DAY} (?:của )?tháng cuối(?: cùng)?(?: (?:của )?(?:mỗi |từng )?{_PERIOD_WORD})?",
        lambda m, inc: DeadlineRule(inc, day=_ints(m)[0], of=Month.LAST),
    ),
    Form(
        "a day of the first month after the period",
        rf"{_DAY} (?:của )?tháng đầu(?: tiên)? (?:của )?{_PERIOD_WORD} {_AFTER}",
        lambda m, inc: DeadlineRule(inc, day=_ints(m)[0], of=Month.NEXT),
    ),
    Form(
        "a day of the month after",
        rf"{_DAY} (?:của )?tháng {_AFTER}",
        lambda m, inc: DeadlineRule(inc, day=_ints(m)[0], of=Month.NEXT),
    ),
    Form(
        "a date each year (ngày d tháng m)",
        rf"{_DAY} tháng (\d{{1,2}})(?!\d)",
        lambda m, inc: DeadlineRule(inc, day=_ints(m)[0], month=_ints(m)[1]),
    ),
    Form(
        "a day of each month",
        rf"{_DAY}(?: (?:của )?(?:hàng|mỗi|các|từng|của)? ?tháng)(?!\s*(?:\d|cuối|đầu))",
        lambda m, inc: DeadlineRule(inc, day=_ints(m)[0], of=Month.OWN),
    ),
)


def normalise(wording: str) -> str:
    """NFC, lower case, one space, "hằng" read as "hàng", punctuation but "/" dropped."""
    text = unicodedata.normalize("NFC", wording).lower().replace("hằng", "hàng")
    text = re.sub(r"[,;:.()“”\"'‘’]", " ", text)  # "19h00’": the prime of an hour too
    return re.sub(r"\s+", " ", text).strip()


def parse_deadline(wording: str) -> DeadlineRule:
    """Read a Vietnamese deadline phrase (or the whole sentence around it) into a rule.

    Raises:
        DeadlineWordingError: no form reads it, or it names an impossible date; the message quotes the wording
            and gives examples.
    """
    text = normalise(wording)
    for form in FORMS:
        for marker, inclusive in form.markers:
            m = re.search(rf"(?:^| ){marker}{form.pattern}", text)
            if m:
                rule = form.build(m, inclusive)
                _check(rule, wording)
                return rule
    raise DeadlineWordingError(
        f"không hiểu thời hạn {wording!r} (cannot read this deadline wording); ví dụ (for example): {EXAMPLES}"
    )


def _check(rule: DeadlineRule, wording: str) -> None:
    if rule.daily or rule.weekly:
        return  # the hour is checked as it is read
    if rule.working_days and not 1 <= rule.working_days <= 60:
        raise DeadlineWordingError(f"{rule.working_days} ngày làm việc không hợp lệ trong: {wording!r}")
    if rule.working_days:
        return
    if not 1 <= rule.day <= 31:
        raise DeadlineWordingError(f"ngày {rule.day} không hợp lệ trong: {wording!r}")
    if rule.month is not None:
        if rule.year is not None and not MIN_YEAR <= rule.year <= MAX_YEAR:
            raise DeadlineWordingError(f"năm {rule.year} nằm ngoài {MIN_YEAR}–{MAX_YEAR} trong: {wording!r}")
        try:
            date(rule.year or 2024, rule.month, rule.day)  # 2024 is a leap year: 29/2 stays valid without a year
        except ValueError as exc:
            raise DeadlineWordingError(f"ngày {rule.day}/{rule.month} không hợp lệ trong: {wording!r}") from exc
