"""The deadline grammar: the plan's wording → the last allowed day of each period → the due instant (Vietnam time).

Each row is a real sentence with the document it comes from, or a variant of one (named as such): the spellings
plans use ("hằng"/"hàng", leading zeros, capitals, NFD), the markers that allow the day itself ("chậm nhất",
"không quá", "trong ngày"…) against "trước ngày", and the whole sentence as a plan writes it.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.deadlines import VN_TZ, DeadlineWordingError, Month, Span, parse_deadline
from core.planning.calendar import WorkCalendar

KH46 = "Kế hoạch 46/KH-UBND ngày 14/3/2023, UBND tỉnh Tuyên Quang, mục III.10"
BRVT = "Công văn 2539/UBND-SNV (2012), UBND tỉnh Bà Rịa – Vũng Tàu"
BNV = "Công văn 581/BNV-CCHC, Bộ Nội vụ (báo cáo cải cách hành chính)"
ISSUE = "the regimes issue's own wordings (plans of several years, the quarter after)"
VARIANT = "a variant of the above"

M4, M2, M12 = Span(2026, 4, 4), Span(2026, 2, 2), Span(2026, 12, 12)  # monthly periods
Q1, Q2, Q4 = Span(2026, 1, 3), Span(2026, 4, 6), Span(2026, 10, 12)  # quarters
H1, M9, Y = Span(2026, 1, 6), Span(2026, 1, 9), Span(2026, 1, 12)  # 6 months, 9 months, the year
WORK = WorkCalendar.shipped()

CASES: list[tuple[str, str, Span, date]] = [
    # (source, wording, period, last day allowed)
    (KH46, "chậm nhất trong ngày 15 hàng tháng đối với báo cáo tháng", M4, date(2026, 4, 15)),
    (KH46, "trước ngày 25/5/2023 đối với báo cáo 6 tháng", Span(2023, 1, 6), date(2023, 5, 24)),
    (KH46, "trước ngày 25/11/2023 đối với báo cáo năm", Span(2023, 1, 12), date(2023, 11, 24)),
    (BRVT, "Báo cáo tháng gửi trước ngày 15 của tháng", M4, date(2026, 4, 14)),
    (BRVT, "Báo cáo quý gửi trước ngày 05 tháng cuối cùng của mỗi quý", Q1, date(2026, 3, 4)),
    (BRVT, "Báo cáo quý gửi trước ngày 05 tháng cuối cùng của mỗi quý", Q2, date(2026, 6, 4)),
    (BRVT, "Báo cáo quý gửi trước ngày 05 tháng cuối cùng của mỗi quý", Q4, date(2026, 12, 4)),
    (BRVT, "Báo cáo 6 tháng gửi trước ngày 05/6", H1, date(2026, 6, 4)),
    (BRVT, "Báo cáo năm gửi trước ngày 25/11 hàng năm", Y, date(2026, 11, 24)),
    (BNV, "thời hạn gửi chậm nhất là ngày 20 của tháng cuối kỳ báo cáo", Q1, date(2026, 3, 20)),
    (BNV, "thời hạn gửi chậm nhất là ngày 20 của tháng cuối kỳ báo cáo", Q4, date(2026, 12, 20)),
    (BNV, "thời hạn gửi chậm nhất là ngày 20 của tháng cuối kỳ báo cáo", H1, date(2026, 6, 20)),
    (BNV, "thời hạn gửi chậm nhất là ngày 20 của tháng cuối kỳ báo cáo", Y, date(2026, 12, 20)),
    (ISSUE, "Báo cáo 9 tháng gửi trước ngày 15/9 hằng năm", M9, date(2026, 9, 14)),
    (ISSUE, "gửi về Sở Nội vụ vào ngày 10 của tháng đầu quý sau", Q1, date(2026, 4, 10)),
    (ISSUE, "gửi về Sở Nội vụ vào ngày 10 của tháng đầu quý sau", Q4, date(2027, 1, 10)),
    (ISSUE, "trong thời hạn 5 ngày làm việc kể từ ngày kết thúc quý", Q1, date(2026, 4, 7)),
    (ISSUE, "trong thời hạn 5 ngày làm việc kể từ ngày kết thúc quý", Q4, date(2027, 1, 8)),  # 1/1 is off
    (ISSUE, "ngày 10 của tháng đầu kỳ sau", H1, date(2026, 7, 10)),
    (VARIANT, "Chậm nhất ngày 15 hàng tháng", M4, date(2026, 4, 15)),
    (VARIANT, "chậm nhất vào ngày 5 hằng tháng", M4, date(2026, 4, 5)),
    (VARIANT, "trước ngày 15 hàng tháng", M4, date(2026, 4, 14)),
    (VARIANT, "trước ngày 1 hàng tháng", M4, date(2026, 3, 31)),
    (VARIANT, "chậm nhất trong ngày 31 hàng tháng", M2, date(2026, 2, 28)),
    (VARIANT, "không quá ngày 20 hàng tháng", M4, date(2026, 4, 20)),
    (VARIANT, "không muộn hơn ngày 20 mỗi tháng", M4, date(2026, 4, 20)),
    (VARIANT, "gửi trong ngày 25 hàng tháng", M4, date(2026, 4, 25)),
    (VARIANT, "đến hết ngày 10 hàng tháng", M12, date(2026, 12, 10)),
    (VARIANT, "chậm nhất ngày 5 tháng sau", M12, date(2027, 1, 5)),
    (VARIANT, "hạn chót là ngày 30/6", H1, date(2026, 6, 30)),
    (VARIANT, "trước ngày 25 / 05 / 2023", Span(2023, 1, 6), date(2023, 5, 24)),
    (VARIANT, "chậm nhất ngày 14 tháng 3 năm 2023", Span(2023, 1, 3), date(2023, 3, 14)),
    (VARIANT, "trước ngày 25 tháng 11 hằng năm", Y, date(2026, 11, 24)),
    (VARIANT, "trước ngày 1/1/2027", Y, date(2026, 12, 31)),
    (VARIANT, "BÁO CÁO QUÝ GỬI TRƯỚC NGÀY 5 THÁNG CUỐI QUÝ", Q2, date(2026, 6, 4)),
    (VARIANT, "trước ngày 05 tháng cuối cùng của từng quý", Q1, date(2026, 3, 4)),
    (VARIANT, "chậm nhất ngày 20 tháng cuối kỳ", M9, date(2026, 9, 20)),
    (VARIANT, "vào ngày 10 tháng đầu của quý tiếp theo", Q2, date(2026, 7, 10)),
    (VARIANT, "chậm nhất 10 ngày làm việc sau khi kết thúc năm", Y, date(2027, 1, 15)),
    (VARIANT, "trong vòng 3 ngày làm việc kể từ ngày kết thúc tháng", M4, date(2026, 5, 6)),  # 30/4, 1/5 off
    (VARIANT, "trong thời hạn 05 ngày làm việc kể từ ngày kết thúc kỳ báo cáo", H1, date(2026, 7, 7)),
    (VARIANT, "Báo cáo năm: trước ngày 15/12 hàng năm.", Y, date(2026, 12, 14)),
    (VARIANT, "chậm nhất ngày 20 của tháng cuối quý", Q1, date(2026, 3, 20)),
    (VARIANT, "trước ngày 20 của tháng cuối quý", Q4, date(2026, 12, 19)),
    (VARIANT, "trước ngày 10 tháng đầu quý sau", Q1, date(2026, 4, 9)),
    (VARIANT, "không quá 7 ngày làm việc kể từ ngày kết thúc tháng", M12, date(2027, 1, 12)),  # 1/1 is off
    (VARIANT, "Báo cáo 6 tháng đầu năm gửi chậm nhất ngày 20/6 hằng năm", H1, date(2026, 6, 20)),
    (VARIANT, "Báo cáo 9 tháng: chậm nhất ngày 20 tháng 9 hằng năm", M9, date(2026, 9, 20)),
    (VARIANT, "trước ngày 10/12 hằng năm đối với báo cáo năm", Y, date(2026, 12, 9)),
    (VARIANT, "muộn nhất vào ngày 18 hàng tháng", M4, date(2026, 4, 18)),
    (VARIANT, "hạn chót ngày 25 hàng tháng", M4, date(2026, 4, 25)),
]


@pytest.mark.parametrize(("source", "wording", "span", "last"), CASES, ids=[c[1][:60] for c in CASES])
def test_the_grammar_reads_the_wordings_plans_use(source: str, wording: str, span: Span, last: date) -> None:
    rule = parse_deadline(wording)
    assert rule.last_day(span, WORK) == last, (source, rule)
    due = rule.due_at(span, WORK)
    assert due == datetime(last.year, last.month, last.day, 23, 59, 59, tzinfo=VN_TZ)
    offset = due.utcoffset()
    assert offset is not None and offset.total_seconds() == 7 * 3600


def test_there_are_forty_wordings_or_more() -> None:
    assert len({w for _, w, _, _ in CASES}) >= 40


def test_nfd_case_and_spacing_do_not_matter() -> None:
    nfd = unicodedata.normalize("NFD", "CHẬM NHẤT   trong ngày 15 hằng tháng")
    assert parse_deadline(nfd) == parse_deadline("chậm nhất trong ngày 15 hàng tháng")


def test_what_each_form_means() -> None:
    assert parse_deadline("chậm nhất trong ngày 15 hàng tháng").of is Month.OWN
    assert parse_deadline("trước ngày 05 tháng cuối cùng của mỗi quý").of is Month.LAST
    assert parse_deadline("ngày 10 của tháng đầu quý sau").of is Month.NEXT
    once = parse_deadline("trước ngày 25/5/2023")
    assert (once.day, once.month, once.year, once.inclusive) == (25, 5, 2023, False)
    assert parse_deadline("trước ngày 25/11 hằng năm").year is None
    assert parse_deadline("trong thời hạn 5 ngày làm việc kể từ ngày kết thúc quý").working_days == 5


def test_a_date_with_its_year_keeps_its_year() -> None:
    assert parse_deadline("trước ngày 25/5/2023").last_day(Span(2030, 1, 6)) == date(2023, 5, 24)


@pytest.mark.parametrize(
    "wording",
    [
        "",
        "hàng tháng",
        "định kỳ hằng quý",
        "chậm nhất trong ngày 32 hàng tháng",
        "trước ngày 30/2/2023",
        "trước ngày 12/13/2023",
        "trước ngày 15/9/1999",
        "trong thời hạn 0 ngày làm việc kể từ ngày kết thúc quý",
        "sớm",
    ],
)
def test_unreadable_wording_is_refused_naming_it_with_examples(wording: str) -> None:
    with pytest.raises(DeadlineWordingError) as refused:
        parse_deadline(wording)
    assert repr(wording) in str(refused.value)


def test_the_refusal_gives_examples() -> None:
    with pytest.raises(DeadlineWordingError, match=r"ví dụ.*tháng cuối cùng của mỗi quý.*ngày làm việc"):
        parse_deadline("định kỳ hằng quý")


@given(
    day=st.integers(1, 31),
    first=st.integers(1, 12),
    length=st.sampled_from([1, 3, 6, 9, 12]),
    year=st.integers(2024, 2030),
    marker=st.sampled_from(["chậm nhất", "trước", "không quá", "chậm nhất là"]),
    form=st.sampled_from(["{d} của tháng cuối kỳ báo cáo", "{d} của tháng đầu quý sau", "{d} tháng sau"]),
)
def test_a_day_of_a_month_near_the_period_lands_where_it_says(
    day: int, first: int, length: int, year: int, marker: str, form: str
) -> None:
    last = min(12, first + length - 1)
    span = Span(year, first, last)
    rule = parse_deadline(f"{marker} ngày " + form.format(d=day))
    got = rule.last_day(span)
    target_month = (year, last) if "cuối" in form else span.month_after()
    allowed = got if rule.inclusive else got + (date(2000, 1, 2) - date(2000, 1, 1))
    assert (allowed.year, allowed.month) == target_month or (not rule.inclusive and allowed.day == 1)
    assert allowed.day == day or allowed.day < day  # a day past the month's end is its last day


EMERGENCY = "issue 31's wordings of emergency and campaign plans (daily and weekly reports)"


@pytest.mark.parametrize(
    ("wording", "source", "due"),
    [
        ("trước 19h00 hằng ngày", EMERGENCY, datetime(2026, 6, 11, 18, 59, 59, tzinfo=VN_TZ)),
        ("trước 19h00’ hằng ngày và đột xuất khi cần thiết", VARIANT, datetime(2026, 6, 11, 18, 59, 59, tzinfo=VN_TZ)),
        ("chậm nhất 16 giờ 30 phút các ngày làm việc", VARIANT, datetime(2026, 6, 11, 16, 30, tzinfo=VN_TZ)),
        ("trước 9h hàng ngày", VARIANT, datetime(2026, 6, 11, 8, 59, 59, tzinfo=VN_TZ)),
    ],
)
def test_an_hour_of_each_day(wording: str, source: str, due: datetime) -> None:
    rule = parse_deadline(wording)
    assert rule.daily and not rule.weekly and rule.due_on(date(2026, 6, 11)) == due, source
    assert rule.working_only == ("ngày làm việc" in wording)


@pytest.mark.parametrize(
    ("wording", "weekday", "due"),
    [
        ("trước 15h00 thứ Năm hằng tuần", 3, datetime(2026, 6, 11, 14, 59, 59, tzinfo=VN_TZ)),
        ("chậm nhất 16 giờ ngày thứ Sáu hàng tuần", 4, datetime(2026, 6, 12, 16, 0, tzinfo=VN_TZ)),
        ("chậm nhất thứ 6 hằng tuần", 4, datetime(2026, 6, 12, 23, 59, 59, tzinfo=VN_TZ)),
        ("trước thứ Hai hằng tuần", 0, datetime(2026, 6, 7, 23, 59, 59, tzinfo=VN_TZ)),  # the day before
    ],
)
def test_a_day_of_each_week(wording: str, weekday: int, due: datetime) -> None:
    rule = parse_deadline(wording)
    assert rule.weekly and rule.weekday == weekday
    day = date(2026, 6, 8) + timedelta(days=weekday)
    assert rule.due_on(day) == due


def test_an_hour_is_not_a_day_and_a_bad_hour_is_refused() -> None:
    assert not parse_deadline("trước 19h ngày 15/11/2025").daily  # a date with an hour is a date
    with pytest.raises(DeadlineWordingError, match="25:00"):
        parse_deadline("trước 25h00 hằng ngày")
