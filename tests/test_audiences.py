"""Issue 28, finding 7 (and issue 30's audiences): "Tất cả" is every agency in being, communes and wards included;
the groups offered are those that have members today, in chat and on the dashboard.

Tuyên Quang in 2026: the province loaded over plan 46 (its districts ended on 1/7/2025, 124 communes and wards).
Real database (SQLite, and PostgreSQL when configured), the real conversation core, outbox sender and dashboard
(over ASGI); the chat platform is the only fake (RecordingChannel).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import func, select

from core.deadlines import VN_TZ
from core.types import Role
from models import tables as t
from tests.chat_harness import Harness, tuyen_quang_harness
from tests.conftest import Database
from tests.dashboard_client import signed_in

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
async def h(loaded: Database) -> Harness:
    return await tuyen_quang_harness(loaded)


async def test_everyone_reaches_the_communes_and_only_groups_with_members_are_offered(h: Harness) -> None:
    async with h.db.sessions() as s:
        ward = await s.scalar(select(t.Agency.code).where(t.Agency.name == "Ủy ban nhân dân phường Minh Xuân"))
    assert ward is not None
    admin = await h.registered("adm", "Phạm Quản Trị", "SNV", Role.ADMIN)
    await h.registered("mx", "Lê Văn Phường", ward, Role.FOCAL)
    await h.registered("tp", "Trần Thị Sở", "STP", Role.FOCAL)
    await admin.say("/thongbao Đề nghị các cơ quan rà soát danh sách cán bộ đầu mối.")
    offered = [c.label for r in admin.last for c in r.choices]
    assert offered[:3] == ["Tất cả", "Các sở, ban, ngành", "Các xã, phường"], offered
    assert "UBND huyện, thành phố" not in offered  # the districts ended on 1/7/2025
    await admin.press("Tất cả")
    sent_to = re.search(r"gửi ([0-9]+) cơ quan", admin.text)
    assert sent_to is not None and int(sent_to.group(1)) >= 13 + 124, admin.text  # was 13: no commune
    await admin.press("Gửi")
    await h.sender.drain_once()
    reached = {chat for chat, text in h.channel.sent if "rà soát danh sách" in text}
    assert {"mx", "tp"} <= reached, reached

    await admin.say("/thongbao Đề nghị các xã, phường báo cáo.")
    await admin.press("Các xã, phường")
    await admin.press("Gửi")
    await h.sender.drain_once()
    communes_only = {chat for chat, text in h.channel.sent if "các xã, phường báo cáo" in text}
    assert communes_only == {"mx"}, communes_only


async def test_the_dashboard_offers_the_groups_of_today(h: Harness) -> None:
    async with signed_in(h.db) as admin:
        for page in ("/thong-bao", "/dot-xuat"):
            html = (await admin.client.get(page)).text
            values = re.findall(r'name="audience" value="([^"]+)"', html)
            assert values == ["all", "departments", "communes", "codes"], (page, values)
            assert "các xã, phường" in html


async def test_an_audience_of_no_agency_is_refused_and_nothing_is_sent(h: Harness) -> None:
    """The districts ended on 1/7/2025: a form that still asks for them (an old page, a crafted request) is refused,
    with why, and nothing is queued."""
    async with signed_in(h.db) as admin:
        form = {"csrf": admin.csrf, "text": "Đề nghị các huyện báo cáo.", "audience": "districts"}
        preview = await admin.client.post("/thong-bao/xem-truoc", data=form)
        sent = await admin.client.post("/thong-bao/gui", data=form)
    assert preview.status_code == 400 and "Đề nghị chọn ít nhất một cơ quan." in preview.text
    assert sent.status_code == 400
    async with h.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.Delivery)) == 0
