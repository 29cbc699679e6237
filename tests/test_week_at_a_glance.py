"""The week at a glance (issue 30): /tuannay for a focal person, "Tuần này" for Sở Nội vụ, across the five plans of
2026 in Tuyên Quang (tests/province_2026.py). Real database, the real conversation engine and the dashboard's real
routes over ASGI; the only fake is the chat platform (the harness's RecordingChannel)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
import time_machine
from sqlalchemy import update
from starlette.applications import Starlette

from core.deadlines import VN_TZ
from core.types import Platform, Role
from core.usecases.rules import Rules
from models import tables as t
from tests.chat_harness import make_harness
from tests.conftest import Database
from tests.dashboard_client import Signed, signed_in
from tests.factories import submit
from tests.province_2026 import province_2026
from web.app import dashboard_routes

TUESDAY = datetime(2026, 6, 9, 9, 0, tzinfo=VN_TZ)  # the week of Monday 8/6/2026
DUE_THIS_WEEK = {  # what Sở Tư pháp owes with a last day in the week, by plan
    ("25/KH-UBND", "Báo cáo 6 tháng đầu năm 2026"),
    ("08/KH-UBND", "Báo cáo quý II/2026"),
    ("08/KH-UBND", "Báo cáo 6 tháng đầu năm 2026"),
}


@pytest.fixture
def in_june() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
async def province(loaded: Database, in_june: time_machine.Traveller) -> Database:
    await province_2026(loaded)
    # Sở Y tế sent 08/KH-UBND's quarter on time; Sở Tư pháp is overdue with earlier months (nothing sent since March).
    await submit(loaded, "SYT", "08/KH-UBND quy:2026-Q2", datetime(2026, 6, 8, 10, 0, tzinfo=VN_TZ))
    return loaded


def _listed(text: str) -> set[tuple[str, str]]:
    """(plan, report) for every report line, each under the plan heading it follows."""
    found, heading = set(), ""
    for line in text.splitlines():
        if m := re.match(r"Kế hoạch số (\S+):$", line):
            heading = m.group(1)
        elif line.startswith("• Báo cáo"):
            assert heading, f"a report without its plan: {line}"
            found.add((heading, line.removeprefix("• ").split(" — ")[0]))
    return found


async def test_tuannay_lists_the_week_by_plan_on_one_screen(province: Database) -> None:
    h = make_harness(province, TUESDAY)
    focal = h.person("stp-focal", "Nguyễn Văn An", Platform.CONSOLE)
    await focal.say("/tuannay")
    text = focal.text
    assert text.startswith("Tuần này (8/6–14/6/2026), Sở Tư pháp cần gửi:\n")
    assert _listed(text) == DUE_THIS_WEEK
    # One phone screen: a line per report due, one line per plan for the overdue backlog, whatever its length.
    assert len(text.splitlines()) <= 15 and len(text) <= 1500
    assert "Quá hạn, chưa gửi:\n• Kế hoạch số 12/KH-UBND: 8 kỳ, cũ nhất là Báo cáo tháng 2/2026" in text
    # 14/6/2026 is a Sunday: the day the law runs it to is said, and why, never the Sunday alone.
    assert "hạn chót thứ Hai, 15/6/2026, vì ngày 14/6/2026 là Chủ nhật, theo Điều 148: chưa nộp — còn 6 ngày" in text
    assert "hạn chót Chủ nhật" not in text
    await focal.say("/week")
    assert focal.text == text


async def test_the_week_page_shows_the_provinces_periods_with_counts(
    province: Database, in_june: time_machine.Traveller
) -> None:
    in_june.move_to(datetime(2026, 6, 10, 9, 0, tzinfo=VN_TZ))  # Wednesday: 25/KH-UBND's 9/6 report is overdue
    async with signed_in(province) as admin:
        page = await admin.client.get("/tuan-nay")
    assert page.status_code == 200
    html = page.text
    assert "Tuần này (8/6/2026–14/6/2026)" in html
    shown: dict[tuple[str, str], list[str]] = {}  # (plan, report) → on time, late, not yet sent, overdue
    for row in re.findall(r'<tr data-period="\d+">(.*?)</tr>', html, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        shown[(cells[2].removeprefix("Kế hoạch số "), cells[1])] = cells[3:7]
    assert set(shown) >= DUE_THIS_WEEK
    # 08/KH-UBND's quarter is owed by 12 departments (Sở Nội vụ compiles it) and the 124 communes: Sở Y tế sent it;
    # its last day is next Monday, so nobody is overdue.
    assert shown[("08/KH-UBND", "Báo cáo quý II/2026")] == ["1", "0", "135", "—"]
    # 25/KH-UBND's 6-month report was due yesterday: the agencies that owe it are named as overdue.
    on_time, late, waiting, overdue = shown[("25/KH-UBND", "Báo cáo 6 tháng đầu năm 2026")]
    assert (on_time, late) == ("0", "0") and "Sở Tư pháp" in overdue and int(waiting) > 0


async def test_the_week_page_forecasts_the_month_and_warns_of_the_zalo_quota(province: Database) -> None:
    """Each app's expected messages this month and next, from the reminder plan and the people registered; a month
    whose Zalo messages would exceed the quota less its reserve is said in advance (a quota of 20 here)."""
    async with province.sessions() as s:  # Sở Y tế's focal person reads reminders on Zalo, Sở Tư pháp's on Telegram
        await s.execute(update(t.ChatAccount).where(t.ChatAccount.chat_id == "syt-focal").values(platform="zalo"))
        await s.execute(update(t.ChatAccount).where(t.ChatAccount.chat_id == "stp-focal").values(platform="telegram"))
        await s.commit()
    app = Starlette(routes=dashboard_routes(province.uows, Rules(), "dashboard-test-secret-key", zalo_quota=20))
    async with signed_in(province) as admin:
        page = (await admin.client.get("/tuan-nay")).text
        small = await _page(app, admin)
    rows = re.findall(r'<tr><th scope="row">(\d+/2026)</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>', page)
    assert [r[0] for r in rows] == ["6/2026", "7/2026"]
    june = rows[0]
    assert int(june[2]) > 0 and int(june[1]) > 0 and int(june[3]) >= int(june[1]) + int(june[2]) - 30
    assert 'role="alert"' not in page  # 3,000 a month is far away
    assert "dự kiến khoảng" in small and "vượt mức 19 tin" in small


async def _page(app: Starlette, admin: Signed) -> str:
    """The same page on a dashboard held to a smaller quota, with the admin's session."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dashboard") as client:
        client.cookies = admin.client.cookies
        return (await client.get("/tuan-nay")).text


async def test_the_week_page_is_sở_nội_vụs(province: Database) -> None:
    async with signed_in(province, "STP", Role.FOCAL) as focal:
        assert (await focal.client.get("/tuan-nay")).status_code == 403


async def test_a_focal_persons_home_is_the_agencys_next_30_days_and_ended_plans_stand_apart(province: Database) -> None:
    async with signed_in(province, "STP", Role.FOCAL) as focal:
        home = (await focal.client.get("/")).text
    section = home[home.index('<section id="next-days">') : home.index("</section>")]
    rows = re.findall(r"<tr><td>(.*?)</td><th scope=\"row\">(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>", section)
    listed = {(plan_no.removeprefix("Kế hoạch số "), label) for plan_no, label, _, _ in rows}
    assert listed >= DUE_THIS_WEEK  # across plans, each with its plan
    assert ("12/KH-UBND", "Báo cáo tháng 7/2026") not in listed  # 15/7 is more than 30 days away
    by_label = {(p.removeprefix("Kế hoạch số "), label): (due, state) for p, label, due, state in rows}
    due, state = by_label[("08/KH-UBND", "Báo cáo quý II/2026")]
    assert due == "thứ Hai, 15/6/2026, vì ngày 14/6/2026 là Chủ nhật, theo Điều 148" and state == "chưa gửi"
    assert by_label[("12/KH-UBND", "Báo cáo tháng 5/2026")][1] == "chưa gửi, quá hạn"
    async with signed_in(province) as admin:
        plans = (await admin.client.get("/ke-hoach")).text
    assert 'data-plan="46/KH-UBND"' in plans[plans.index('id="ended-plans"') :]  # plan 46 ended in 2024
    assert plans.index('data-plan="08/KH-UBND"') < plans.index('id="ended-plans"')
