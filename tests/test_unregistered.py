"""Issue 29: the agencies that owe reports to come and that no focal person can be reminded at, listed alike by
`nhacviec agencies --unregistered` and the dashboard's people page (each with its invite one click away).

Plan 46 in April 2023 (time frozen), real database (SQLite, and PostgreSQL when configured), the real CLI in-process
and the dashboard over ASGI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import time_machine
from sqlalchemy import update
from starlette.applications import Starlette

from core.deadlines import VN_TZ, utcnow
from core.types import Role
from core.usecases import web_access
from core.usecases.rules import Rules
from models import tables as t
from tests.cli_runner import run_cli
from tests.conftest import Database
from tests.factories import add_person
from web.app import dashboard_routes

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

    app = Starlette(routes=dashboard_routes(loaded.uows, Rules(), "unregistered-test-secret-key"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dashboard") as client:
        async with loaded.uows() as uow:
            token = await web_access.operator_link(uow, "SNV", Role.ADMIN, "Quản trị viên", utcnow())
            await uow.commit()
        assert (await client.get("/dang-nhap", params={"t": token})).status_code == 303
        page = (await client.get("/can-bo")).text
        table = re.search(r'<table class="unreached">.*?</table>', page, re.S)
        assert table is not None
        shown = re.findall(r'<tr data-agency="([^"]+)">', table.group(0))
        assert shown == [a["code"] for a in listed.json()]  # the same agencies, in the same order
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf is not None
        made = await client.post("/can-bo/moi", data={"csrf": csrf.group(1), "agency": "SCT", "role": "focal"})
        assert made.status_code == 200 and "Mã đăng ký" in made.text  # the invite, one click away
