"""Reporting regimes as pure functions: which periods a series owes, their keys, labels, last days and data, for
random plans and calendars; and the wordings that do not suit a regime, refused with what would."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.deadlines import Span, parse_deadline
from core.planning.calendar import WorkCalendar
from core.planning.regimes import ND09, RegimeError, cutoff_nd09, fill, periods, unknown_words
from core.types import Recurrence

PER_YEAR = {
    Recurrence.MONTHLY: 12,
    Recurrence.QUARTERLY: 4,
    Recurrence.SEMI_ANNUAL: 1,
    Recurrence.NINE_MONTHS: 1,
    Recurrence.ANNUAL: 1,
}
# Wordings each regime can take (a day of the period's months or after it; a date for the once-a-year ones).
ANY = (
    "chậm nhất là ngày {d} của tháng cuối kỳ báo cáo",
    "trước ngày {d} tháng cuối cùng của mỗi quý",
    "ngày {d} của tháng đầu quý sau",
    "trong thời hạn {n} ngày làm việc kể từ ngày kết thúc kỳ báo cáo",
)
WORDINGS = {
    Recurrence.MONTHLY: (*ANY, "chậm nhất trong ngày {d} hàng tháng", "trước ngày {d} của tháng"),
    Recurrence.QUARTERLY: ANY,
    Recurrence.SEMI_ANNUAL: (*ANY, "trước ngày {d}/{m} hằng năm"),
    Recurrence.NINE_MONTHS: (*ANY, "trước ngày {d}/{m} hằng năm"),
    Recurrence.ANNUAL: (*ANY, "chậm nhất ngày {d} tháng {m} hàng năm"),
}
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))


@st.composite
def series(draw: st.DrawFn) -> tuple[Recurrence, str, date, tuple[int, int], WorkCalendar, bool]:
    recurrence = draw(st.sampled_from(list(PER_YEAR)))
    template = draw(st.sampled_from(WORDINGS[recurrence]))
    wording = template.format(d=draw(st.integers(1, 28)), m=draw(st.integers(1, 12)), n=draw(st.integers(1, 20)))
    first = draw(st.integers(2025, 2028))
    years = (first, first + draw(st.integers(0, 4)))
    issued = date(first, 1, 1) + timedelta(days=draw(st.integers(-60, 200)))
    off = draw(st.frozensets(days, max_size=20))
    work = WorkCalendar(off, draw(st.frozensets(days, max_size=5)) - off)
    return recurrence, wording, issued, years, work, draw(st.booleans())


@given(series())
def test_the_periods_of_any_regime_keep_their_rules(
    case: tuple[Recurrence, str, date, tuple[int, int], WorkCalendar, bool],
) -> None:
    recurrence, wording, issued, years, work, nd09 = case
    rule = parse_deadline(wording)
    found = periods(recurrence, rule, "Báo cáo", issued, years, work, cutoff=ND09 if nd09 else None)
    keys = [p.key for p in found]
    assert len(keys) == len(set(keys)), "a key is owed once"
    assert len(found) <= PER_YEAR[recurrence] * (years[1] - years[0] + 2)
    assert [p.last_day for p in found] == sorted(p.last_day for p in found), "in the order they fall due"
    for p in found:
        assert p.last_day > issued and years[0] <= p.last_day.year <= years[1], p  # owed: after issue, within
        assert issued <= p.opens_on <= p.last_day, p
        assert p.key[:4] in p.label, p  # the label names the period's year
        if rule.working_days:
            assert work.is_working_day(p.last_day), p
        if nd09:
            assert p.data_from is not None and p.data_to is not None
            assert (p.data_from.day, p.data_to.day) == (15, 14) and p.data_from < p.data_to <= p.last_day + timedelta(
                days=366
            )
        else:
            assert p.data_from is None and p.data_to is None


def test_nghi_dinh_09_cut_off() -> None:
    assert cutoff_nd09(Span(2026, 1, 3)) == (date(2025, 12, 15), date(2026, 3, 14))  # quý I/2026
    assert cutoff_nd09(Span(2026, 1, 12)) == (date(2025, 12, 15), date(2026, 12, 14))  # năm 2026
    assert cutoff_nd09(Span(2026, 4, 4)) == (date(2026, 3, 15), date(2026, 4, 14))  # tháng 4/2026


def test_a_plan_of_one_year_issued_mid_year_owes_what_falls_due_after() -> None:
    rule = parse_deadline("chậm nhất trong ngày 15 hàng tháng")
    found = periods(Recurrence.MONTHLY, rule, "Báo cáo tháng", date(2026, 1, 20), (2026, 2026), WorkCalendar())
    assert [p.key for p in found][:2] == ["2026-02", "2026-03"] and len(found) == 11
    on_the_day = periods(Recurrence.MONTHLY, rule, "Báo cáo tháng", date(2026, 1, 14), (2026, 2026), WorkCalendar())
    assert on_the_day[0].key == "2026-01"  # due 15/1, after an issue on 14/1


@pytest.mark.parametrize(
    ("recurrence", "wording", "says"),
    [
        (Recurrence.QUARTERLY, "chậm nhất trong ngày 15 hàng tháng", "suits monthly reports only"),
        (Recurrence.ANNUAL, "trước ngày 15 hàng tháng", "suits monthly reports only"),
        (Recurrence.MONTHLY, "trước ngày 25/5", "once a year"),
        (Recurrence.QUARTERLY, "trước ngày 25/11 hằng năm", "once a year"),
    ],
)
def test_a_wording_that_does_not_suit_the_regime_is_refused(recurrence: Recurrence, wording: str, says: str) -> None:
    with pytest.raises(RegimeError, match=says):
        periods(recurrence, parse_deadline(wording), "Báo cáo", date(2026, 1, 1), (2026, 2026), WorkCalendar())


def test_labels_fill_only_their_own_words() -> None:
    assert fill("Báo cáo CCHC quý {quarter}/{year}", {"quarter": "II", "year": "2026"}) == "Báo cáo CCHC quý II/2026"
    assert fill("{name.__class__}", {"name": "x"}) == "{name.__class__}"  # nothing of str.format is read
    assert unknown_words("Báo cáo {quy}/{year}") == ["quy"]


def test_daily_reports_on_working_days_or_every_day_and_weekly_ones_by_iso_week() -> None:
    work = WorkCalendar()
    every = periods(
        Recurrence.DAILY, parse_deadline("trước 19h00 hằng ngày"), "Báo cáo ngày", date(2026, 6, 5), (2026, 2026), work
    )
    working = periods(
        Recurrence.DAILY,
        parse_deadline("chậm nhất 16 giờ các ngày làm việc"),
        "Báo cáo ngày",
        date(2026, 6, 5),
        (2026, 2026),
        work,
    )
    assert [p.key for p in every[:3]] == ["2026-06-06", "2026-06-07", "2026-06-08"]  # a Saturday and a Sunday
    assert [p.key for p in working[:2]] == ["2026-06-08", "2026-06-09"] and all(
        work.is_working_day(p.last_day) for p in working
    )
    assert every[6].label == "Báo cáo ngày 12/6/2026" and every[6].opens_on == every[6].last_day == date(2026, 6, 12)
    weekly = periods(
        Recurrence.WEEKLY,
        parse_deadline("trước 15h00 thứ Năm hằng tuần"),
        "Báo cáo tuần",
        date(2026, 6, 5),
        (2026, 2026),
        work,
    )
    assert (weekly[0].key, weekly[0].label) == ("2026-W24", "Báo cáo tuần 24/2026 (8/6–12/6)")
    assert weekly[0].opens_on == date(2026, 6, 5) and weekly[1].opens_on == date(2026, 6, 12)  # the seven days up to it
    assert (
        fill("Báo cáo 9h00 ngày {day}/{month}/{year}", {"day": "6", "month": "6", "year": "2026"})
        == "Báo cáo 9h00 ngày 6/6/2026"
    )


@pytest.mark.parametrize(
    ("recurrence", "wording", "says"),
    [
        (Recurrence.DAILY, "trước ngày 15 hằng tháng", "an hour of each day"),
        (Recurrence.WEEKLY, "trước 19h00 hằng ngày", "a day of each week"),
        (Recurrence.MONTHLY, "trước 19h00 hằng ngày", "daily or weekly"),
    ],
)
def test_a_daily_or_weekly_wording_belongs_to_its_regime(recurrence: Recurrence, wording: str, says: str) -> None:
    with pytest.raises(RegimeError, match=says):
        periods(recurrence, parse_deadline(wording), "Báo cáo", date(2026, 1, 1), (2026, 2026), WorkCalendar())
