"""Pure reminder planning: plan 46 in 2023, the policy rules, and properties over random plans."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from core.deadlines import VN_TZ, end_of_day, start_of_day, to_vn
from core.planfile import PlanSpec
from core.planning.calendar import WorkCalendar
from core.planning.planner import PlanningPeriod, PointKind, ReminderPoint, plan_reminders
from core.planning.policy import PolicyError, ReminderPolicy
from core.standing import Deadlines

CAL = Deadlines(WorkCalendar())  # the law's rule (Điều 148): a deadline on a day off runs to the next working day
AS_WRITTEN = Deadlines(WorkCalendar(), extend_day_off=False)
YEAR_START, YEAR_END = start_of_day(date(2023, 3, 14)), end_of_day(date(2023, 12, 31))


def periods_of(spec: PlanSpec) -> list[PlanningPeriod]:
    out, pid = [], 0
    for s in spec.series:
        for p in s.periods:
            pid += 1
            out.append(PlanningPeriod(pid, spec.number, s.code, p.key, p.label, p.opens_at, p.due_at, s.owed_by))
    return out


def of_period(points: list[ReminderPoint], label: str, *kinds: PointKind) -> list[ReminderPoint]:
    return [p for p in points if p.label == label and (not kinds or p.kind in kinds)]


def test_plan_46_never_reminds_on_a_day_off(plan46: PlanSpec) -> None:
    points = plan_reminders(periods_of(plan46), {}, CAL, YEAR_START, YEAR_END, ReminderPolicy())
    assert points
    for p in points:
        day = to_vn(p.at).date()
        assert day.weekday() < 5, p
        assert CAL.calendar.holiday_name(day) is None, p
        assert to_vn(p.at).time() == time(8, 0)


def test_weekend_deadlines_are_reminded_on_the_working_days_before(plan46: PlanSpec) -> None:
    points = plan_reminders(periods_of(plan46), {}, CAL, YEAR_START, YEAR_END)
    april = of_period(points, "Báo cáo tháng 4/2023", PointKind.BEFORE, PointKind.DUE)
    assert [(to_vn(p.at).date(), p.kind, p.offset) for p in april] == [
        (date(2023, 4, 7), PointKind.BEFORE, 7),  # 8/4 is a Saturday
        (date(2023, 4, 12), PointKind.BEFORE, 3),
        (date(2023, 4, 14), PointKind.DUE, 0),  # the 1-day and due-day reminders merge on Friday
    ]
    october = of_period(points, "Báo cáo tháng 10/2023", PointKind.BEFORE, PointKind.DUE)
    assert [to_vn(p.at).date() for p in october] == [
        date(2023, 10, 6),
        date(2023, 10, 12),
        date(2023, 10, 13),
    ]


def test_half_year_and_annual_reports_are_reminded_before_their_last_day(plan46: PlanSpec) -> None:
    points = plan_reminders(periods_of(plan46), {}, CAL, YEAR_START, YEAR_END)
    half = of_period(points, "Báo cáo 6 tháng đầu năm 2023", PointKind.BEFORE, PointKind.DUE)
    assert [to_vn(p.at).date() for p in half] == [
        date(2023, 5, 17),
        date(2023, 5, 19),
        date(2023, 5, 23),
        date(2023, 5, 24),
    ]
    year = of_period(points, "Báo cáo năm 2023", PointKind.BEFORE, PointKind.DUE)
    assert [to_vn(p.at).date() for p in year] == [
        date(2023, 11, 17),
        date(2023, 11, 21),
        date(2023, 11, 23),
        date(2023, 11, 24),
    ]
    assert all(p.at < p.due_at for p in half + year if p.due_at)


def test_overdue_every_two_working_days_three_times_and_escalation_on_the_third(plan46: PlanSpec) -> None:
    # April's deadline, Saturday 15/4/2023, runs to the end of Monday 17/4 (Điều 148): chasing starts on Tuesday.
    points = plan_reminders(periods_of(plan46), {}, CAL, YEAR_START, YEAR_END)
    overdue = of_period(points, "Báo cáo tháng 4/2023", PointKind.OVERDUE)
    assert [(to_vn(p.at).date(), p.offset) for p in overdue] == [
        (date(2023, 4, 18), 1),
        (date(2023, 4, 20), 3),
        (date(2023, 4, 24), 5),
    ]
    esc = of_period(points, "Báo cáo tháng 4/2023", PointKind.ESCALATION)
    assert [(to_vn(p.at).date(), p.offset) for p in esc] == [(date(2023, 4, 20), 3)]
    # May's deadline is a Monday, a working day: the first overdue reminder is on Tuesday 16/5.
    may = of_period(points, "Báo cáo tháng 5/2023", PointKind.OVERDUE)
    assert to_vn(may[0].at).date() == date(2023, 5, 16)
    # Kept as written (DEADLINE_ON_DAY_OFF=as_written), April is chased from Monday 17/4.
    written = of_period(
        plan_reminders(periods_of(plan46), {}, AS_WRITTEN, YEAR_START, YEAR_END), "Báo cáo tháng 4/2023"
    )
    assert next(to_vn(p.at).date() for p in written if p.kind is PointKind.OVERDUE) == date(2023, 4, 17)
    # The reminders before the deadline do not move: they come before the weekend either way.
    assert [p.at for p in of_period(points, "Báo cáo tháng 4/2023", PointKind.BEFORE, PointKind.DUE)] == [
        p.at for p in written if p.kind in (PointKind.BEFORE, PointKind.DUE)
    ]


def test_no_reminder_for_an_agency_after_it_confirmed(plan46: PlanSpec) -> None:
    periods = periods_of(plan46)
    april = next(p for p in periods if p.key == "2023-04")
    confirmed = datetime(2023, 4, 12, 9, 30, tzinfo=VN_TZ)
    points = plan_reminders(periods, {("STP", april.period_id): confirmed}, CAL, YEAR_START, YEAR_END)
    for p in of_period(points, april.label):
        assert ("STP" in p.agencies) == (p.at < confirmed), p
    assert "STP" in of_period(points, "Báo cáo tháng 5/2023")[0].agencies


def test_a_period_everyone_submitted_has_no_points(plan46: PlanSpec) -> None:
    periods = periods_of(plan46)
    april = next(p for p in periods if p.key == "2023-04")
    subs = {(c, april.period_id): datetime(2023, 4, 1, tzinfo=VN_TZ) for c in april.agencies}
    assert of_period(plan_reminders(periods, subs, CAL, YEAR_START, YEAR_END), april.label) == []


def test_no_reminder_before_the_period_opens() -> None:
    opens = datetime(2023, 4, 13, 0, 0, tzinfo=VN_TZ)
    p = PlanningPeriod(1, "1/KH", "x", "k", "Báo cáo đột xuất", opens, end_of_day(date(2023, 4, 17)), ("A",))
    points = plan_reminders([p], {}, CAL, YEAR_START, YEAR_END)
    before = [x for x in points if x.kind in (PointKind.BEFORE, PointKind.DUE)]
    assert [to_vn(x.at).date() for x in before] == [date(2023, 4, 14), date(2023, 4, 17)]


def test_digest_every_working_day_in_the_window() -> None:
    points = plan_reminders(
        [], {}, CAL, start_of_day(date(2023, 4, 24)), end_of_day(date(2023, 5, 7)), ReminderPolicy()
    )
    assert [to_vn(p.at).date().day for p in points] == [24, 25, 26, 27, 28, 4, 5]
    assert {p.key for p in points} == {f"digest:{to_vn(p.at).date().isoformat()}" for p in points}


def test_window_is_inclusive_and_filters(plan46: PlanSpec) -> None:
    at = datetime(2023, 4, 7, 8, 0, tzinfo=VN_TZ)
    points = plan_reminders(periods_of(plan46), {}, CAL, at, at)
    assert [p.key for p in points] == ["46/KH-UBND:thang:2023-04:before:7"]


def test_series_policy_override() -> None:
    pol = ReminderPolicy().with_overrides({"offsets_days": [2], "send_time": "09:30", "overdue_max": 0})
    p = PlanningPeriod(1, "1/KH", "x", "k", "L", YEAR_START, end_of_day(date(2023, 6, 15)), ("A",), pol)
    points = plan_reminders([p], {}, CAL, YEAR_START, YEAR_END)
    assert [(x.kind, to_vn(x.at)) for x in points] == [
        (PointKind.BEFORE, datetime(2023, 6, 13, 9, 30, tzinfo=VN_TZ)),
        (PointKind.ESCALATION, datetime(2023, 6, 20, 9, 30, tzinfo=VN_TZ)),
    ]


def test_policy_refuses_nonsense() -> None:
    bad: dict[str, Any]
    for bad in ({"send_time": "20:00"}, {"offsets_days": []}, {"overdue_every": 0}, {"colour": "red"}):
        try:
            ReminderPolicy().with_overrides(bad)
        except PolicyError:
            continue
        raise AssertionError(f"accepted {bad}")


# ------------------------------------------------------------------ properties

days = st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def random_plans(
    draw: st.DrawFn,
) -> tuple[list[PlanningPeriod], dict[tuple[str, int], datetime], Deadlines]:
    agencies = tuple(f"A{i}" for i in range(draw(st.integers(1, 5))))
    off = draw(st.frozensets(days, max_size=15))
    makeup = draw(st.frozensets(days, max_size=5)) - off
    cal = Deadlines(WorkCalendar(off, makeup), extend_day_off=draw(st.booleans()))
    periods, subs = [], {}
    for pid in range(1, draw(st.integers(1, 6)) + 1):
        due_day = draw(days)
        opens = start_of_day(due_day - timedelta(days=draw(st.integers(0, 60))))
        start_h = draw(st.integers(6, 9))
        policy = ReminderPolicy(
            offsets_days=tuple(draw(st.lists(st.integers(0, 20), min_size=1, max_size=5))),
            send_time=time(start_h + draw(st.integers(0, 2)), draw(st.sampled_from([0, 15, 30]))),
            work_start=time(start_h, 0),
            work_end=time(17, 0),
            overdue_every=draw(st.integers(1, 4)),
            overdue_max=draw(st.integers(0, 4)),
            escalate_after=draw(st.integers(1, 6)),
        )
        periods.append(
            PlanningPeriod(
                pid,
                "9/KH",
                draw(st.sampled_from(["m", "q"])),
                f"k{pid}",
                f"Kỳ {pid}",
                opens,
                end_of_day(due_day),
                agencies,
                policy,
            )
        )
        for code in agencies:
            if draw(st.booleans()):
                subs[(code, pid)] = datetime.combine(draw(days), time(10), tzinfo=VN_TZ)
    return periods, subs, cal


WINDOW = (start_of_day(date(2022, 10, 1)), end_of_day(date(2027, 3, 31)))


@settings(deadline=None)  # examples: as the profile says (tests/conftest.py)
@given(random_plans())
def test_properties_over_random_plans(
    case: tuple[list[PlanningPeriod], dict[tuple[str, int], datetime], Deadlines],
) -> None:
    periods, subs, cal = case
    points = plan_reminders(periods, subs, cal, *WINDOW)
    by_id = {p.period_id: p for p in periods}
    keys = [p.key for p in points]
    assert len(keys) == len(set(keys)), "keys are unique"
    assert points == plan_reminders(list(periods), dict(subs), cal, *WINDOW), "planning is deterministic"
    assert points == sorted(points, key=lambda p: (p.at, p.key))
    for p in points:
        period = by_id[p.period_id]  # type: ignore[index]
        local = to_vn(p.at)
        assert cal.calendar.is_working_day(local.date()), p
        assert period.policy.work_start <= local.time() < period.policy.work_end, p
        assert p.agencies, p
        for code in p.agencies:
            confirmed = subs.get((code, period.period_id))
            assert confirmed is None or confirmed > p.at, "nobody is reminded after confirming"
        if p.kind in (PointKind.BEFORE, PointKind.DUE):
            assert period.opens_at <= p.at < period.due_at, p
        else:  # chasing starts after the time allowed, extended or not
            assert p.at > cal.end(period.due_at), p


def test_a_report_due_at_an_hour_each_day_is_reminded_once_that_day() -> None:
    """A daily report ("trước 19h00 hằng ngày"): one reminder on its own day, a Sunday included, at the morning
    hour; due before the morning hour ("trước 7h00"), an hour before it is due. A weekly one: the day before and the
    day, chased once. Other periods (an ad-hoc one due at 17:00 the same day) keep the usual rules."""
    sunday = date(2026, 6, 7)
    evening = PlanningPeriod(
        1,
        "88/KH",
        "ngay",
        "2026-06-07",
        "Báo cáo ngày 7/6/2026",
        start_of_day(sunday),
        datetime(2026, 6, 7, 18, 59, 59, tzinfo=VN_TZ),
        ("SCT",),
        recurrence="daily",
    )
    early = PlanningPeriod(
        2,
        "88/KH",
        "sang",
        "2026-06-08",
        "Báo cáo ngày 8/6/2026",
        start_of_day(date(2026, 6, 8)),
        datetime(2026, 6, 8, 6, 59, 59, tzinfo=VN_TZ),
        ("SCT",),
        recurrence="daily",
    )
    points = plan_reminders([evening, early], {}, CAL, start_of_day(date(2026, 6, 1)), end_of_day(date(2026, 6, 30)))
    assert [(to_vn(p.at), p.kind) for p in points] == [
        (datetime(2026, 6, 7, 8, 0, tzinfo=VN_TZ), PointKind.DUE),
        (datetime(2026, 6, 8, 5, 59, 59, tzinfo=VN_TZ), PointKind.DUE),
    ]
    weekly = PlanningPeriod(
        3,
        "88/KH",
        "tuan",
        "2026-W24",
        "Báo cáo tuần 24/2026 (8/6–12/6)",
        start_of_day(date(2026, 6, 5)),
        datetime(2026, 6, 11, 14, 59, 59, tzinfo=VN_TZ),
        ("SCT",),
        recurrence="weekly",
    )
    kinds = [
        (to_vn(p.at).date(), p.kind)
        for p in plan_reminders([weekly], {}, CAL, start_of_day(date(2026, 6, 1)), end_of_day(date(2026, 6, 30)))
    ]
    assert kinds[:3] == [
        (date(2026, 6, 10), PointKind.BEFORE),
        (date(2026, 6, 11), PointKind.DUE),
        (date(2026, 6, 12), PointKind.OVERDUE),
    ]
    assert sum(k == PointKind.OVERDUE for _, k in kinds) == 1
    # An ad-hoc report due at 17:00, opened that morning, is not a daily one: reminded and chased as any other.
    adhoc = PlanningPeriod(
        4,
        "88/KH",
        "dotxuat",
        "2026-06-10",
        "Báo cáo đột xuất",
        start_of_day(date(2026, 6, 10)),
        datetime(2026, 6, 10, 17, 0, tzinfo=VN_TZ),
        ("SCT",),
        recurrence="ad_hoc",
    )
    chased = plan_reminders([adhoc], {}, CAL, start_of_day(date(2026, 6, 1)), end_of_day(date(2026, 6, 30)))
    assert sum(p.kind == PointKind.OVERDUE for p in chased) == ReminderPolicy().overdue_max
