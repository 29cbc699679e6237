"""The reminder's own choices on the console (numbered), acknowledgements counted, and the optional leader
alert on the deadline day. Real database, conversation core, reminder engine and outbox; the chat platform
is the only fake (RecordingChannel, which cannot edit: updates arrive as follow-ups)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, time

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from core.deadlines import VN_TZ
from core.planning.policy import ReminderPolicy
from core.types import Platform, Role
from core.usecases.rules import Rules
from models import tables as t
from scheduler.engine import ReminderEngine
from tests.chat_harness import Harness, Person, make_harness
from tests.conftest import Database
from tests.factories import add_person, invite_code

APRIL = "46/KH-UBND:thang:2023-04"
FRIDAY = datetime(2023, 4, 14, 8, 0, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def friday() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(FRIDAY, tick=False) as traveller:
        yield traveller


async def _console(h: Harness, uid: str, name: str, agency: str, role: Role = Role.FOCAL) -> Person:
    p = h.person(uid, name, Platform.CONSOLE)
    await p.say(f"/dangky {await invite_code(h.db, agency, role)}")
    assert "Chào mừng" in p.text, p.text
    return p


async def _fire_due(h: Harness, rules: Rules | None = None) -> ReminderEngine:
    engine = ReminderEngine(h.db.uows, rules or Rules(), h.sender, None)
    await engine.fire_key(f"{APRIL}:due:0", FRIDAY)
    await h.sender.drain_once()
    return engine


async def test_console_numbers_confirm_from_the_reminder_and_the_other_copy_is_told(loaded: Database) -> None:
    h = make_harness(loaded)
    son = await _console(h, "c-son", "Lê Văn Sơn", "STP")
    ha = await _console(h, "c-ha", "Trần Thu Hà", "STP")
    await _fire_due(h)
    assert any("Thực hiện Kế hoạch số 46/KH-UBND" in x for x in h.channel.to("c-son"))
    await son.say("1")  # "1. Đã nộp báo cáo" of the reminder
    assert "Đã ghi nhận: Sở Tư pháp nộp báo cáo tháng 4/2023" in son.text and "đúng hạn" in son.text
    await son.say("1")  # "1. Bỏ qua"
    assert "Hệ thống đã dừng nhắc kỳ báo cáo này" in son.text
    await h.sender.drain_once()
    (note,) = [x for x in h.channel.to("c-ha") if "đã nộp, Lê Văn Sơn xác nhận lúc 08:00" in x]
    assert note.startswith("Báo cáo tháng 4/2023 (KH 46/KH-UBND):")
    await ha.say("1")  # Hà's reminder's "Đã nộp báo cáo": the agency has confirmed already
    assert "đã được xác nhận" in ha.text
    async with loaded.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.Submission)) == 1


async def test_received_is_counted_in_the_overview_and_the_workbook(loaded: Database) -> None:
    h = make_harness(loaded)
    son = await _console(h, "c-son", "Lê Văn Sơn", "STP")
    await _console(h, "c-dung", "Hoàng Thị Dung", "UBND-NH")
    admin = await _console(h, "c-adm", "Quản Trị", "SNV", Role.ADMIN)
    await _fire_due(h)
    await son.say("2")  # "2. Đã nhận"
    assert "đã ghi nhận đồng chí đã nhận lời nhắc" in son.text
    await son.say("2")
    assert "Đã ghi nhận trước đó" in son.text
    async with loaded.sessions() as s:
        assert await s.scalar(select(func.count()).where(t.Delivery.acknowledged_at.is_not(None))) == 1

    await admin.say("/tonghop 2023-04")
    assert "Sở Tư pháp (đã xem lời nhắc)" in admin.text and "Ủy ban nhân dân huyện Na Hang (đã được nhắc)" in admin.text
    assert "Trong 24 cơ quan: 2 đã được nhắc, 1 đã xem lời nhắc, 0 đã nộp." in admin.text  # focal persons only
    await admin.say("/xuat 2023-04")
    doc = admin.last[0].document
    assert doc is not None
    wb = load_workbook(io.BytesIO(doc.data))
    rows = {r[3]: r for r in list(wb["Chi tiết"].iter_rows(values_only=True))[1:]}
    assert rows["STP"][9:11] == ("Có", "Có") and rows["UBND-NH"][9:11] == ("Có", "Không")
    assert rows["STC"][9:11] == ("Không", "Không")
    summary = list(wb["Tổng hợp"].iter_rows(values_only=True))[1]
    assert summary[:9] == ("Kế hoạch số 46/KH-UBND", "Báo cáo tháng 4/2023", 0, 0, 0, 24, 24, 2, 1)


async def test_leader_is_told_on_the_deadline_day_only_where_nobody_saw_or_sent(
    loaded: Database, friday: time_machine.Traveller
) -> None:
    h = make_harness(loaded)
    son = await _console(h, "c-son", "Lê Văn Sơn", "STP")
    await _console(h, "c-dung", "Hoàng Thị Dung", "UBND-NH")
    await add_person(loaded, "STP", Role.LEADER, "Lãnh đạo Sở", "stp-lead")
    await add_person(loaded, "UBND-NH", Role.LEADER, "Chủ tịch huyện", "nh-lead")
    rules = Rules(policy=ReminderPolicy(leader_unseen_at=time(15, 0)))
    engine = await _fire_due(h, rules)
    await son.say("2")  # Sở Tư pháp has seen it; Na Hang has not
    at = datetime(2023, 4, 14, 15, 0, tzinfo=VN_TZ)
    friday.move_to(at)
    assert await engine.fire_key(f"{APRIL}:unseen:0", at) == 1
    await h.sender.drain_once()
    assert h.channel.to("stp-lead") == []
    (alert,) = h.channel.to("nh-lead")
    assert "Đến nay chưa có cán bộ nào của Ủy ban nhân dân huyện Na Hang xác nhận đã nhận lời nhắc" in alert
    assert await engine.fire_key(f"{APRIL}:unseen:0", at) == 0  # once
    off = ReminderEngine(h.db.uows, Rules(), h.sender, None)  # the option is off by default: no such point
    assert await off.fire_key(f"{APRIL}:unseen:0", at) == 0


async def test_the_leaders_escalation_is_brought_up_to_date_too(
    loaded: Database, friday: time_machine.Traveller
) -> None:
    h = make_harness(loaded)
    son = await _console(h, "c-son", "Lê Văn Sơn", "STP")
    await add_person(loaded, "STP", Role.LEADER, "Lãnh đạo Sở", "stp-lead")
    at = datetime(2023, 4, 20, 8, 0, tzinfo=VN_TZ)  # working day 3 after the deadline (run to Monday 17/4)
    friday.move_to(at)
    engine = ReminderEngine(h.db.uows, Rules(), h.sender, None)
    await engine.fire_key(f"{APRIL}:escalation:3", at)
    await h.sender.drain_once()
    assert len(h.channel.to("stp-lead")) == 1
    await son.say("/danop 2023-04")
    await son.press("Xác nhận đã nộp")
    assert "muộn" in son.text
    await h.sender.drain_once()
    assert "Báo cáo tháng 4/2023 (KH 46/KH-UBND): đã nộp, Lê Văn Sơn xác nhận lúc 08:00" in h.channel.to("stp-lead")[-1]


async def test_an_undo_does_not_bring_back_a_reminder_whose_text_retention_cleared(loaded: Database) -> None:
    """Issue 24, retention: a reminder's text cleared after MESSAGE_TEXT_RETENTION_DAYS is not "restored" as an
    empty message when a confirmation is undone; a copy that still has its text is."""
    h = make_harness(loaded)
    son = await _console(h, "c-son", "Lê Văn Sơn", "STP")
    await _console(h, "c-ha", "Trần Thu Hà", "STP")
    await _fire_due(h)
    async with loaded.sessions() as s:  # Hà's copy is past retention
        account = await s.scalar(select(t.ChatAccount.id).where(t.ChatAccount.chat_id == "c-ha"))
        await s.execute(update(t.Delivery).where(t.Delivery.account_id == account).values(text=""))
        await s.commit()
    await son.say("/danop 2023-04")
    await son.press("Xác nhận đã nộp")
    await h.sender.drain_once()
    before = len(h.channel.sent)
    await son.say("/huynop")
    await son.press("Báo cáo tháng 4/2023")
    assert "Đã hủy xác nhận nộp báo cáo tháng 4/2023" in son.text, son.text
    await h.sender.drain_once()
    restored = [text for _, text in h.channel.sent[before:]]
    assert restored and all(text.strip() for text in restored)  # no empty message
    assert not [text for chat, text in h.channel.sent[before:] if chat == "c-ha"]  # nothing to show Hà again
    assert any("Thực hiện Kế hoạch số 46/KH-UBND" in text for chat, text in h.channel.sent[before:] if chat == "c-son")
