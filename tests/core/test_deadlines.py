"""The deadline rules: the plan's wording → the last allowed day → the due instant (Vietnam time)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest

from core.deadlines import VN_TZ, DeadlineWordingError, parse_deadline

E = (23, 59, 59)


@pytest.mark.parametrize(
    ("wording", "year", "month", "due"),
    [
        ("chậm nhất trong ngày 15 hàng tháng", 2023, 4, (2023, 4, 15, *E)),
        ("Chậm nhất ngày 15 hàng tháng", 2023, 10, (2023, 10, 15, *E)),
        ("chậm nhất vào ngày 5 hàng tháng", 2023, 1, (2023, 1, 5, *E)),
        ("trước ngày 15 hàng tháng", 2023, 4, (2023, 4, 14, *E)),
        ("trước ngày 1 hàng tháng", 2023, 3, (2023, 2, 28, *E)),
        ("chậm nhất trong ngày 31 hàng tháng", 2023, 2, (2023, 2, 28, *E)),
        ("chậm nhất trong ngày 31 hàng tháng", 2024, 2, (2024, 2, 29, *E)),
        ("trước ngày 25/5/2023", 2023, None, (2023, 5, 24, *E)),
        ("trước ngày 25/11/2023", 2023, None, (2023, 11, 24, *E)),
        ("trước ngày 1/1/2024", 2023, None, (2023, 12, 31, *E)),
        ("chậm nhất trong ngày 25/5/2023", 2023, None, (2023, 5, 25, *E)),
        ("hạn chót ngày 30/6", 2023, None, (2023, 6, 30, *E)),
        ("trước ngày 25 / 05 / 2023 đối với báo cáo 6 tháng", 2023, None, (2023, 5, 24, *E)),
    ],
)
def test_wording_to_due_instant(wording: str, year: int, month: int | None, due: tuple[int, ...]) -> None:
    rule = parse_deadline(wording)
    got = rule.due_at(year, month)
    assert got == datetime(*due).replace(tzinfo=VN_TZ)  # type: ignore[arg-type]
    offset = got.utcoffset()
    assert offset is not None and offset.total_seconds() == 7 * 3600


def test_nfd_and_spacing_do_not_matter() -> None:
    nfd = unicodedata.normalize("NFD", "CHẬM NHẤT   trong ngày 15 hàng tháng")
    assert parse_deadline(nfd) == parse_deadline("chậm nhất trong ngày 15 hàng tháng")


def test_fixed_year_in_wording_wins_over_plan_year() -> None:
    assert parse_deadline("trước ngày 25/5/2023").last_day(2030) == date(2023, 5, 24)


@pytest.mark.parametrize(
    "wording",
    [
        "",
        "hàng tháng",
        "chậm nhất trong ngày 32 hàng tháng",
        "trước ngày 30/2/2023",
        "trước ngày 12/13/2023",
        "sớm",
    ],
)
def test_unreadable_wording_is_refused(wording: str) -> None:
    with pytest.raises(DeadlineWordingError):
        parse_deadline(wording)


def test_monthly_rule_needs_a_month() -> None:
    with pytest.raises(ValueError, match="month"):
        parse_deadline("chậm nhất trong ngày 15 hàng tháng").due_at(2023)
