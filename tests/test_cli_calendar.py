"""`nhacviec calendar`: days kept in the database, applied at once, told to those whose reminder moves.

Through the real Typer application (in-process) on the real database; the clock is frozen in April 2023.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from core.deadlines import VN_TZ
from core.types import Role
from models import tables as t
from tests.cli_runner import ENTRY, run_cli
from tests.conftest import Database
from tests.factories import add_person

pytestmark = pytest.mark.skipif(not ENTRY.exists(), reason="the nhacviec script is not installed (run make test)")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(datetime(2023, 4, 10, 9, 0, tzinfo=VN_TZ), tick=False):
        yield


def _reminder_days(db: Database, cwd: Path) -> list[date]:
    found = run_cli(
        ["reminders", "--from", "2023-04-10", "--to", "2023-04-15", "--agency", "STP", "--json"], db.env, cwd
    )
    assert found.code == 0, found.err
    return [
        datetime.fromisoformat(p["at"]).date()
        for p in found.json()
        if p["period"] == "Báo cáo tháng 4/2023" and p["kind"] in ("before", "due")
    ]


async def _calendar_notices(db: Database) -> list[tuple[str, str]]:
    async with db.sessions() as s:
        rows = await s.execute(
            select(t.ChatAccount.platform_user_id, t.Delivery.text)
            .join(t.ChatAccount, t.ChatAccount.id == t.Delivery.account_id)
            .where(t.Delivery.kind == "calendar")
        )
        return [(u, x) for u, x in rows.tuples().all()]


async def test_add_off_moves_the_reminder_at_once_and_tells_each_focal_person_once(
    loaded: Database, tmp_path: Path
) -> None:
    await add_person(loaded, "STP", Role.FOCAL, "Nguyễn Văn An", "stp-an")
    await add_person(loaded, "STP", Role.LEADER, "Trần Văn Cường", "stp-lead")
    assert _reminder_days(loaded, tmp_path) == [date(2023, 4, 12), date(2023, 4, 14)]

    done = run_cli(
        ["calendar", "add-off", "2023-04-12", "--reason", "Nghỉ bù", "--source", "CV 1/UBND"], loaded.env, tmp_path
    )
    assert done.code == 0, done.err
    assert "Lời nhắc tiếp theo của" in done.out and "STP" in done.out
    # No restart: the next read of the database plans on the previous working day.
    assert _reminder_days(loaded, tmp_path) == [date(2023, 4, 11), date(2023, 4, 14)]

    notices = await _calendar_notices(loaded)
    stp = [x for u, x in notices if u == "stp-an"]
    assert len(stp) == 1 and not [u for u, _ in notices if u == "stp-lead"]  # focal persons, not leaders
    assert "Lịch làm việc có thay đổi (Nghỉ bù)" in stp[0]
    assert "từ thứ Tư, 12/4/2023 sang thứ Ba, 11/4/2023" in stp[0]

    again = run_cli(["calendar", "add-off", "2023-04-12", "--reason", "Nghỉ bù"], loaded.env, tmp_path)
    assert again.code == 2 and "không có gì thay đổi" in again.err
    assert len(await _calendar_notices(loaded)) == len(notices)  # told once

    listed = run_cli(["calendar", "list", "--year", "2023", "--json"], loaded.env, tmp_path).json()
    assert {"day": "2023-04-12", "kind": "off", "reason": "Nghỉ bù", "source": "CV 1/UBND", "origin": "admin"} in listed

    removed = run_cli(["calendar", "remove", "2023-04-12"], loaded.env, tmp_path)
    assert removed.code == 0, removed.err
    assert _reminder_days(loaded, tmp_path) == [date(2023, 4, 12), date(2023, 4, 14)]

    async def audited() -> list[str]:
        async with loaded.sessions() as s:
            return list((await s.scalars(select(t.AuditLog.action).where(t.AuditLog.entity == "calendar_day"))).all())

    assert await audited() == ["calendar_off", "calendar_remove"]


async def test_a_make_up_saturday_and_bad_input(loaded: Database, tmp_path: Path) -> None:
    bad = [
        (["calendar", "add-off", "2023-13-01", "--reason", "x"], "ngày không hợp lệ"),
        (["calendar", "add-off", "2023-04-15", "--reason", "x"], "đã là ngày nghỉ"),  # a Saturday
        (["calendar", "add-off", "2023-04-12", "--reason", "  "], "lý do"),
        (["calendar", "add-off", "2023-04-20", "--to", "2023-04-10", "--reason", "x"], "khoảng ngày"),
        (["calendar", "add-workday", "2023-04-12", "--reason", "x"], "đã là ngày làm việc"),
        (["calendar", "remove", "2023-04-13"], "không có thay đổi"),
    ]
    for args, message in bad:
        result = run_cli(args, loaded.env, tmp_path)
        assert result.code == 2 and message in result.err, (args, result.err)

    async def stored() -> int:
        async with loaded.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(t.CalendarDay)) or 0)

    assert await stored() == 0  # bad input changed nothing
    ok = run_cli(["calendar", "add-workday", "2023-04-15", "--reason", "Làm bù"], loaded.env, tmp_path)
    assert ok.code == 0, ok.err
    listed = run_cli(["calendar", "list", "--year", "2023", "--json"], loaded.env, tmp_path).json()
    assert {"day": "2023-04-15", "kind": "workday", "reason": "Làm bù", "source": "", "origin": "admin"} in listed
