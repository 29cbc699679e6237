"""Issue 29: the agencies that owe reports to come and that no focal person can be reminded at, listed alike by
`nhacviec agencies --unregistered` and the dashboard's people page (each with its invite one click away).

Plan 46 in April 2023 (time frozen), real database (SQLite, and PostgreSQL when configured), the real CLI in-process
and the dashboard over ASGI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import update

from core.deadlines import VN_TZ
from core.types import Role
from models import tables as t
from tests.cli_runner import run_cli
from tests.conftest import Database
from tests.dashboard_client import signed_in
from tests.factories import add_person

NOW = datetime(2023, 4, 10, 9, 0, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


async def test_the_cli_and_the_dashboard_list_the_same_agencies(loaded: Database, tmp_path: Path) -> None:
    await add_person(loaded, "STP", Role.FOCAL, "Lê Văn Sơn", chat_id="stp-1", platform="telegram")
    blocked = await add_person(loaded, "SYT", Role.FOCAL, "Trần Thị Y", chat_id="syt-1", platform="telegram")
    await add_person(loaded, "SNV", Role.ADMIN, "Phạm Quản Trị", chat_id="snv-1", platform="telegram")
    async with loaded.sessions() as s:  # Sở Y tế's only focal person blocked the bot
        await s.execute(update(t.ChatAccount).where(t.ChatAccount.id == blocked).values(blocked_at=NOW))
        await s.commit()
    listed = run_cli(["agencies", "--unregistered", "--json"], loaded.env, tmp_path)
    assert listed.code == 0, listed.err
    found = {a["code"]: a["blocked"] for a in listed.json()}
    assert "STP" not in found and found["SYT"] is True and found["SCT"] is False
    assert "SNV" not in found  # it compiles the reports: it owes none
    assert len(found) == 23  # plan 46's 24 agencies owing April, but Sở Tư pháp
    digest = run_cli(["reminders", "--from", "2023-04-10", "--to", "2023-04-11", "--text"], loaded.env, tmp_path)
    assert "23 cơ quan còn phải báo cáo chưa có cán bộ đầu mối nhận được tin nhắc" in digest.out  # the digest says
    kinds = [a["kind"] for a in listed.json()]
    assert kinds == sorted(kinds, key=["department", "district", "commune", "other"].index)

    async with signed_in(loaded) as admin:
        client = admin.client
        page = (await client.get("/can-bo")).text
        table = re.search(r'<table class="unreached">.*?</table>', page, re.S)
        assert table is not None
        shown = re.findall(r'<tr data-agency="([^"]+)">', table.group(0))
        assert shown == [a["code"] for a in listed.json()]  # the same agencies, in the same order
        made = await client.post("/can-bo/moi", data={"csrf": admin.csrf, "agency": "SCT", "role": "focal"})
        assert made.status_code == 200 and "Mã đăng ký" in made.text  # the invite, one click away
