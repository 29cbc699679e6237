"""Confirm from the reminder itself, end to end: the real python-telegram-bot Application polling a local
stand-in of the Bot API (the only fake), the real reminder engine, outbox, sender and database.
Time travels to Friday 14/4/2023 08:00, when April's due-day reminder goes (15/04 is a Saturday).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import select

from bot.telegram.app import TelegramBot
from bot.telegram.channel import TelegramChannel
from bot.telegram.links import invite_links
from core.conversation.engine import Conversation
from core.deadlines import VN_TZ
from core.types import Platform, Role
from core.usecases.rules import Rules
from models import tables as t
from nhacviec.notifier import ServiceNotifier
from nhacviec.service import admin_chats
from scheduler.engine import ReminderEngine
from scheduler.sender import OutboxSender
from tests.conftest import Database
from tests.factories import invite_code
from tests.fakes import unpaced
from tests.telegram_standin import BotApiStandIn

TOKEN = "6123456789:AAHk7xQvZ-secret-part-of-the-token_0123"
SON, HA, LEAD, THANH = 2001, 2002, 2003, 2004  # two STP focal persons, STP's leader, a TTRA focal person
NAMES = {SON: "Lê Văn Sơn", HA: "Trần Thu Hà", LEAD: "Đỗ Minh Lãnh", THANH: "Nguyễn Thị Thanh"}
APRIL = "46/KH-UBND:thang:2023-04"
FRIDAY = datetime(2023, 4, 14, 8, 0, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def friday() -> Iterator[None]:
    with time_machine.travel(FRIDAY, tick=True):
        yield


@dataclass
class Live:
    api: BotApiStandIn
    sender: OutboxSender
    engine: ReminderEngine
    db: Database


@pytest.fixture
async def live(loaded: Database) -> AsyncIterator[Live]:
    api = BotApiStandIn(TOKEN)
    api.start()
    sender = OutboxSender(loaded.uows, {})
    conversation = Conversation(loaded.uows, ServiceNotifier(sender), Rules(), invite_links("nhacviec_test_bot"))
    chats = admin_chats(loaded.uows, Platform.TELEGRAM)
    bot = TelegramBot(TOKEN, conversation, chats, api.base_url, poll_timeout=1, pacer=unpaced())
    sender.channels[Platform.TELEGRAM] = TelegramChannel(bot.bot, bot.pacer)
    await bot.start()
    await bot.start_polling()
    roles = {SON: ("STP", Role.FOCAL), HA: ("STP", Role.FOCAL), LEAD: ("STP", Role.LEADER), THANH: ("TTRA", Role.FOCAL)}
    for uid, (agency, role) in roles.items():
        api.push_text(uid, NAMES[uid], f"/start {await invite_code(loaded, agency, role)}")
        await api.reply_to(uid, "Chào mừng")
    try:
        yield Live(api, sender, ReminderEngine(loaded.uows, Rules(), sender, None), loaded)
    finally:
        await bot.stop()
        api.stop()


async def test_one_tap_confirms_the_period_updates_the_agencys_copies_and_stops_reminders(live: Live) -> None:
    api = live.api
    assert await live.engine.fire_key(f"{APRIL}:due:0", FRIDAY) == 3  # Sơn, Hà and Thanh
    await live.sender.drain_once()
    son = await api.reply_to(SON, "Thực hiện Kế hoạch số 46/KH-UBND")
    ha = await api.reply_to(HA, "Thực hiện Kế hoạch số 46/KH-UBND")
    thanh = await api.reply_to(THANH, "Thực hiện Kế hoạch số 46/KH-UBND")
    labels = [b["text"] for row in son["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Đã nộp báo cáo", "Đã nhận"]

    api.push_callback(SON, NAMES[SON], api.button(thanh, "Đã nộp báo cáo"))  # Thanh's reminder, Sơn's hand
    await api.reply_to(SON, "Lựa chọn này không dành cho đồng chí")

    api.push_callback(SON, NAMES[SON], api.button(son, "Đã nộp báo cáo"))
    recorded = await api.reply_to(SON, "Đã ghi nhận: Sở Tư pháp nộp báo cáo tháng 4/2023")
    assert "đúng hạn" in recorded["text"] and "ví dụ 125/BC-STP" in recorded["text"]
    api.push_callback(SON, NAMES[SON], api.button(recorded, "Bỏ qua"))
    await api.reply_to(SON, "Hệ thống đã dừng nhắc kỳ báo cáo này")
    async with live.db.sessions() as s:
        sub = await s.scalar(select(t.Submission).where(t.Submission.undone_at.is_(None)))
    assert sub is not None and sub.late is False and sub.document_number is None

    await live.sender.drain_once()  # Hà's copy is edited in place, without buttons; Sơn's own is left alone
    (edit,) = api.edits(HA)
    ha_id = next(mid for chat, mid, text in api.accepted if chat == HA and text == ha["text"])
    assert int(edit["message_id"]) == ha_id
    assert "Báo cáo tháng 4/2023 (KH 46/KH-UBND): đã nộp, Lê Văn Sơn xác nhận lúc 08:0" in edit["text"]
    assert not edit.get("reply_markup") or edit["reply_markup"] == {"inline_keyboard": []}
    assert api.edits(SON) == [] and api.edits(THANH) == []

    before = len(api.sent(SON)) + len(api.sent(HA)) + len(api.sent(LEAD))
    tuesday = datetime(2023, 4, 18, 8, 0, tzinfo=VN_TZ)  # Saturday 15/4 ran to Monday (Điều 148): chased Tuesday
    assert await live.engine.fire_key(f"{APRIL}:overdue:1", tuesday) == 1  # Thanh only
    await live.sender.drain_once()
    assert len(api.sent(SON)) + len(api.sent(HA)) + len(api.sent(LEAD)) == before

    api.push_text(SON, NAMES[SON], "/huynop")  # undo: the edited copy is edited back, with its buttons
    menu = await api.reply_to(SON, "muốn hủy xác nhận kỳ báo cáo nào")
    api.push_callback(SON, NAMES[SON], api.button(menu, menu["reply_markup"]["inline_keyboard"][0][0]["text"]))
    await api.reply_to(SON, "Đã hủy xác nhận nộp báo cáo tháng 4/2023")
    await live.sender.drain_once()
    restored = api.edits(HA)[-1]
    assert restored["text"].startswith("Kính gửi: Đồng chí Trần Thu Hà, Sở Tư pháp.")
    assert "Đã nộp báo cáo" in str(restored["reply_markup"])


async def test_received_is_recorded_once_and_counted(live: Live) -> None:
    api = live.api
    assert await live.engine.fire_key(f"{APRIL}:due:0", FRIDAY) == 3
    await live.sender.drain_once()
    son = await api.reply_to(SON, "Thực hiện Kế hoạch số 46/KH-UBND")
    api.push_callback(SON, NAMES[SON], api.button(son, "Đã nhận"))
    await api.reply_to(SON, "đã ghi nhận đồng chí đã nhận lời nhắc")
    api.push_callback(SON, NAMES[SON], api.button(son, "Đã nhận"))
    await api.reply_to(SON, "Đã ghi nhận trước đó")
    async with live.db.sessions() as s:
        acked = (await s.scalars(select(t.Delivery).where(t.Delivery.acknowledged_at.is_not(None)))).all()
    assert len(acked) == 1 and acked[0].kind == "due"


async def test_the_report_file_may_follow_a_one_tap_confirmation(live: Live) -> None:
    """Issue 32: after "Đã nộp báo cáo" on a reminder, the file sent next is fetched from the Bot API's file
    endpoint (the stand-in's) and joins the confirmation."""
    from tests.report_documents import word_report

    api = live.api
    assert await live.engine.fire_key(f"{APRIL}:due:0", FRIDAY) == 3
    await live.sender.drain_once()
    son = await api.reply_to(SON, "Thực hiện Kế hoạch số 46/KH-UBND")
    api.push_callback(SON, NAMES[SON], api.button(son, "Đã nộp báo cáo"))
    recorded = await api.reply_to(SON, "Đã ghi nhận: Sở Tư pháp nộp báo cáo tháng 4/2023")
    assert "hoặc tệp báo cáo, hoặc chọn “Bỏ qua”" in recorded["text"]
    data = word_report("Sở Tư pháp", "125/BC-STP")
    api.push_document(SON, NAMES[SON], "Báo cáo T4.docx", data)
    done = await api.reply_to(SON, "Đã nhận tệp báo cáo: Báo cáo T4.docx")
    assert "Đã đính kèm tệp báo cáo." in done["text"] and len(api.downloads) == 1
    async with live.db.sessions() as s:
        sub = await s.scalar(select(t.Submission).where(t.Submission.undone_at.is_(None)))
        content = await s.scalar(select(t.StoredFile.content))
    assert sub is not None and sub.report_file_id is not None and content == data
