"""One core for the rules: chat and scheduler say the same thing, and an admin action is one transaction.

Real database (SQLite, and PostgreSQL when configured), real unit of work, outbox and reminder engine;
the chat platform is the only fake (RecordingChannel).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import event, func, select, text, update

from core.deadlines import VN_TZ
from core.types import Platform, Role
from models import tables as t
from tests.chat_harness import make_harness
from tests.conftest import Database
from tests.factories import add_people, invite_code

MONDAY = datetime(2023, 4, 17, 9, 0, tzinfo=VN_TZ)  # the April report was due on Saturday 15/04
TUESDAY = datetime(2023, 4, 18, 9, 0, tzinfo=VN_TZ)  # …which ran to Monday 17/04 (Điều 148)
APRIL = "46/KH-UBND:thang:2023-04"


async def count(db: Database, model: type) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def tuesday() -> Iterator[None]:
    with time_machine.travel(TUESDAY, tick=False):
        yield


async def test_nudge_says_what_the_scheduler_says_and_names_the_series_receiver(
    loaded: Database, tuesday: None
) -> None:
    # The series' receiver is data, not a constant: point it at Ủy ban nhân dân tỉnh and both texts follow.
    async with loaded.sessions.begin() as s:
        ubnd = await s.scalar(select(t.Agency.id).where(t.Agency.code == "UBND-TINH"))
        await s.execute(update(t.ReportSeries).where(t.ReportSeries.code == "thang").values(receiver_agency_id=ubnd))
    h = make_harness(loaded, TUESDAY)
    admin = await h.registered("snv", "Phạm Minh Em", "SNV", Role.ADMIN)
    await h.registered("stp", "Nguyễn Văn An", "STP", Role.FOCAL)

    await admin.say("/nhacnho 2023-04")
    await admin.press("Nhắc ngay")
    assert "Đang gửi nhắc nhở tới 1 cán bộ đầu mối của 1 cơ quan" in admin.text, admin.text
    await h.sender.drain_once()
    (nudged,) = h.channel.to("stp")[-1:]
    # Saturday 15/4 ran to Monday 17/4 (Điều 148): Tuesday is one working day overdue, not two.
    assert "đã quá hạn 1 ngày làm việc" in nudged, nudged
    assert "Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp)" in nudged

    # The scheduled overdue reminder of that same morning reads the same.
    engine = h.conversation.notifier.engine  # type: ignore[attr-defined]
    assert await engine.fire_key(f"{APRIL}:overdue:1", datetime(2023, 4, 18, 8, 0, tzinfo=VN_TZ)) == 1
    await h.sender.drain_once()
    *_, before, scheduled = h.channel.to("stp")
    assert before == nudged and scheduled == nudged


async def test_a_broadcast_to_500_accounts_is_one_transaction(loaded: Database, monday: None) -> None:
    h = make_harness(loaded, MONDAY)
    admin = await h.registered("snv", "Phạm Minh Em", "SNV", Role.ADMIN)
    await add_people(loaded, "STP", Role.FOCAL, [(f"Cán bộ {i}", f"stp-{i}") for i in range(250)])
    await add_people(loaded, "UBND-NH", Role.FOCAL, [(f"Cán bộ {i}", f"nh-{i}") for i in range(249)])  # +1 admin
    await admin.say("/thongbao Họp giao ban trực tuyến lúc 14:00 ngày 20/4/2023.")
    await admin.press("Tất cả")
    assert "(500 tài khoản)" in admin.text, admin.text
    choices_before, audit_before = await count(loaded, t.PendingChoice), await count(loaded, t.AuditLog)

    # A failure in the database after the 250th outbox row: nothing of the notice may remain.
    (send,) = [c.token for r in admin.last for c in r.choices if c.label == "Gửi"]
    await _fail_inserts_after(loaded, 250)
    await admin.press_token(send)
    assert "Đã có lỗi xảy ra" in admin.text
    assert await count(loaded, t.Notice) == 0
    assert await count(loaded, t.Delivery) == 0
    assert await count(loaded, t.PendingChoice) == choices_before  # no "Đã nhận" token either
    assert await count(loaded, t.AuditLog) == audit_before

    # The button was not used up by the failed attempt: pressed again, the whole notice goes in one commit.
    await _stop_failing(loaded)
    commits: list[object] = []

    def on_commit(conn: object) -> None:
        commits.append(conn)

    event.listen(loaded.engine.sync_engine, "commit", on_commit)
    try:
        await admin.press_token(send)
    finally:
        event.remove(loaded.engine.sync_engine, "commit", on_commit)
    assert "đang được gửi tới" in admin.text and "tới 500 tài khoản" in admin.text, admin.text
    assert len(commits) == 1
    assert await count(loaded, t.Notice) == 1
    assert await count(loaded, t.Delivery) == 500
    assert await count(loaded, t.PendingChoice) == choices_before + 500


async def _fail_inserts_after(db: Database, rows: int) -> None:
    """A trigger in the real database that refuses outbox row number ``rows + 1`` and after."""
    async with db.engine.begin() as conn:
        if db.schema is None:
            await conn.execute(
                text(
                    "CREATE TRIGGER fail_late BEFORE INSERT ON delivery "
                    f"WHEN (SELECT count(*) FROM delivery) >= {rows} "
                    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
                )
            )
        else:
            await conn.execute(
                text(
                    "CREATE FUNCTION fail_late() RETURNS trigger AS $$ BEGIN "
                    f"IF (SELECT count(*) FROM delivery) >= {rows} THEN RAISE EXCEPTION 'injected failure'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            await conn.execute(
                text("CREATE TRIGGER fail_late BEFORE INSERT ON delivery FOR EACH ROW EXECUTE FUNCTION fail_late()")
            )


async def _stop_failing(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP TRIGGER fail_late" + ("" if db.schema is None else " ON delivery")))


async def test_a_console_user_gets_numbered_hints_and_a_telegram_user_none(loaded: Database, monday: None) -> None:
    h = make_harness(loaded, MONDAY)
    p = h.person("c-1", "Người thử", Platform.CONSOLE)
    await p.say(f"/dangky {await invite_code(loaded, 'STP')}")
    await p.say("/ngonngu")
    assert [c.label for r in p.last for c in r.choices] == ["Tiếng Việt", "English"]
    assert all(r.language == "vi" for r in p.last)
    await p.say("2")
    assert p.text == "Language set: English." and all(r.language == "en" for r in p.last)
