"""End to end: the real python-telegram-bot Application, polling over HTTP a local stand-in of the
Bot API (tests/telegram_standin.py, the only fake), with the real core, store, outbox and database.
Time travels to Monday 10/4/2023 (ticking), when plan 46's April report is open.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest
import time_machine
from sqlalchemy import select

from bot.pacing import Pacer
from bot.telegram.app import WEBHOOK_PATH, TelegramBot, WebhookConfig
from bot.telegram.channel import TelegramChannel
from bot.telegram.links import invite_links
from core.conversation.commands import COMMANDS, Menu
from core.conversation.engine import Conversation
from core.conversation.events import EventKind, Incoming, Sender
from core.deadlines import VN_TZ
from core.ports import FloodControlError, OutgoingMessage, RecipientBlockedError
from core.types import Platform, Role
from core.usecases.rules import Rules
from models import tables as t
from nhacviec.config import Settings
from nhacviec.http import Webhook
from nhacviec.logsafety import SecretMaskingFilter
from nhacviec.notifier import ServiceNotifier
from nhacviec.service import TELEGRAM_SECRET_HEADER, admin_chats, run_service
from scheduler.sender import OutboxSender
from tests.conftest import Database
from tests.factories import invite_code
from tests.fakes import unpaced
from tests.serving import serving
from tests.telegram_standin import BotApiStandIn, FloodRules
from tests.waiting import until

TOKEN = "6123456789:AAHk7xQvZ-secret-part-of-the-token_0123"
ADMIN, STP, TTRA = 1001, 1002, 1003


@pytest.fixture(autouse=True)
def april() -> Iterator[None]:
    with time_machine.travel(datetime(2023, 4, 10, 9, 0, tzinfo=VN_TZ), tick=True):
        yield


@dataclass
class Live:
    api: BotApiStandIn
    bot: TelegramBot
    sender: OutboxSender
    db: Database
    codes: dict[int, str]


async def _invite(db: Database, agency: str, role: Role) -> str:
    return await invite_code(db, agency, role)


@pytest.fixture
async def live(loaded: Database) -> AsyncIterator[Live]:
    api = BotApiStandIn(TOKEN)
    api.start()
    sender = OutboxSender(loaded.uows, {})
    conversation = Conversation(loaded.uows, ServiceNotifier(sender), Rules(), invite_links("nhacviec_test_bot"))
    chats = admin_chats(loaded.uows, Platform.TELEGRAM)
    bot = TelegramBot(TOKEN, conversation, chats, api.base_url, poll_timeout=1, pacer=unpaced())
    sender.channels[Platform.TELEGRAM] = TelegramChannel(bot.bot, bot.pacer)
    codes = {
        ADMIN: await _invite(loaded, "SNV", Role.ADMIN),
        STP: await _invite(loaded, "STP", Role.FOCAL),
        TTRA: await _invite(loaded, "TTRA", Role.FOCAL),
    }
    await bot.start()
    await bot.start_polling()
    try:
        yield Live(api, bot, sender, loaded, codes)
    finally:
        await bot.stop()
        api.stop()


NAMES = {ADMIN: "Phạm Minh Quản", STP: "Lê Văn Sơn", TTRA: "Nguyễn Thị Thanh"}


async def register_all(live: Live) -> None:
    for uid, code in live.codes.items():
        live.api.push_text(uid, NAMES[uid], f"/start {code}")
    for uid in live.codes:
        await live.api.reply_to(uid, "Chào mừng")


async def test_registration_tasks_submit_and_overview(live: Live) -> None:
    api = live.api
    await register_all(live)
    welcome = await api.reply_to(STP, "Chào mừng")
    assert "Chào mừng đồng chí Lê Văn Sơn (Sở Tư pháp)" in welcome["text"] and welcome["parse_mode"] == "HTML"
    menus = [p for m, p in api.calls if m == "setMyCommands"]
    assert any(p.get("language_code") == "en" for p in menus) and any("nhiemvu" in str(p) for p in menus)

    api.push_text(TTRA, NAMES[TTRA], "/nhiemvu")
    ttra = await api.reply_to(TTRA, "Nhiệm vụ của Thanh tra tỉnh")
    assert "III.7 (đoạn 1)" in ttra["text"] and "III.7 (đoạn 2)" in ttra["text"] and "III.3 —" not in ttra["text"]
    api.push_text(STP, NAMES[STP], "/nhiemvu")
    stp = await api.reply_to(STP, "Nhiệm vụ của Sở Tư pháp")
    assert "III.3 —" in stp["text"] and "III.7 (đoạn 2)" not in stp["text"]
    api.push_callback(STP, NAMES[STP], api.button(stp, "III.3"))
    await api.reply_to(STP, "thẩm định và tham gia ý kiến")

    api.push_text(STP, NAMES[STP], "/danop")
    menu = await api.reply_to(STP, "Đồng chí xác nhận Sở Tư pháp đã gửi báo cáo kỳ nào")
    api.push_callback(STP, NAMES[STP], api.button(menu, "Báo cáo tháng 4/2023"))
    ask = await api.reply_to(STP, "rồi xác nhận")
    api.push_callback(STP, NAMES[STP], api.button(ask, "Xác nhận đã nộp"))
    receipt = await api.reply_to(STP, "Đã ghi nhận")
    assert "Sở Tư pháp nộp báo cáo tháng 4/2023" in receipt["text"] and "đúng hạn" in receipt["text"]

    api.push_text(ADMIN, NAMES[ADMIN], "/tonghop 2023-04")
    overview = await api.reply_to(ADMIN, "Báo cáo tháng 4/2023 (KH 46/KH-UBND) — hạn chót")
    assert "Đúng hạn (1): Sở Tư pháp" in overview["text"] and "Chưa gửi (23)" in overview["text"]

    api.push_text(STP, NAMES[STP], "/tonghop")
    refused = await api.reply_to(STP, "chỉ dành cho quản trị viên")
    assert refused


async def test_broadcast_reaches_everyone_and_acknowledgements_are_counted(live: Live) -> None:
    api = live.api
    await register_all(live)
    api.push_text(ADMIN, NAMES[ADMIN], "/thongbao Họp giao ban <b>14:00</b> & chuẩn bị số liệu")
    audience = await api.reply_to(ADMIN, "Gửi tới ai?")
    api.push_callback(ADMIN, NAMES[ADMIN], api.button(audience, "Tất cả"))
    preview = await api.reply_to(ADMIN, "Xem trước")
    assert "&lt;b&gt;14:00&lt;/b&gt; &amp; chuẩn bị" in preview["text"]  # user text escaped for HTML
    api.push_callback(ADMIN, NAMES[ADMIN], api.button(preview, "Gửi"))
    await api.reply_to(ADMIN, "tới 3 tài khoản")
    await live.sender.drain_once()
    copies = {uid: await api.reply_to(uid, "Thông báo của Sở Nội vụ") for uid in (ADMIN, STP, TTRA)}
    for uid in (STP, TTRA):
        api.push_callback(uid, NAMES[uid], api.button(copies[uid], "Đã nhận"))
        await api.reply_to(uid, "Đã ghi nhận đồng chí đã nhận thông báo")
    api.push_text(ADMIN, NAMES[ADMIN], "/thongbao_ds")
    listing = await api.reply_to(ADMIN, "đã gửi 3/3")
    assert "đã nhận 2" in listing["text"] and "Chưa xác nhận: Phạm Minh Quản (Sở Nội vụ)" in listing["text"]

    # Someone else's button and a forged one are refused, and nothing is counted for them.
    api.push_callback(TTRA, NAMES[TTRA], api.button(copies[ADMIN], "Đã nhận"))
    await api.reply_to(TTRA, "Lựa chọn này không dành cho đồng chí")
    api.push_callback(TTRA, NAMES[TTRA], "forged:ack:1")
    await api.reply_to(TTRA, "Lựa chọn không hợp lệ hoặc đã hết hạn")


async def test_bad_input_over_telegram(live: Live) -> None:
    api = live.api
    await register_all(live)
    api.push_text(STP, NAMES[STP], "/nhiemvu", chat_type="group")
    await api.reply_to(-100 - STP, "nhắn tin riêng")
    api.push_sticker(STP, NAMES[STP])
    await api.reply_to(STP, "chỉ nhận được tin nhắn chữ")
    api.push_edited(STP, NAMES[STP], "/danop")
    await api.reply_to(STP, "tin nhắn đã sửa")
    api.push_text(STP, NAMES[STP], "x" * 10_000)
    await api.reply_to(STP, "quá dài")
    api.push_text(9999, "Người Lạ", "/danop")
    await api.reply_to(9999, "chưa đăng ký")


async def test_export_is_sent_as_a_document(live: Live) -> None:
    api = live.api
    await register_all(live)
    api.push_text(ADMIN, NAMES[ADMIN], "/xuat 2023-04")
    await api.reply_to(ADMIN, "Tệp tổng hợp")
    doc = await api.wait_for(lambda: next((p for m, p in api.calls if m == "sendDocument"), None))
    assert doc["filename"].endswith(".xlsx") and doc["file_size"] > 1000


async def test_channel_splits_long_messages_and_maps_errors(live: Live) -> None:
    api = live.api
    channel = TelegramChannel(live.bot.bot, Pacer(29, chat_burst=10))  # this test is about splitting, not pace
    long_text = "\n".join(f"Dòng {i}: " + "nội dung & <thẻ> " * 12 for i in range(120))
    await channel.send(str(STP), OutgoingMessage(long_text, (("Đã nhận", "tok"),)))
    parts = api.sent(STP)
    assert len(parts) >= 3 and all(len(p["text"]) <= 4096 for p in parts)
    assert "reply_markup" in parts[-1] and all("reply_markup" not in p for p in parts[:-1])

    api.failures["sendMessage"] = [
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 90",
                "parameters": {"retry_after": 90},
            },
        )
    ]
    # A pause longer than the channel waits out itself goes back to the outbox; the bot stays paused.
    with pytest.raises(FloodControlError) as info:
        await channel.send(str(STP), OutgoingMessage("x"))
    assert info.value.retry_after == 90 and 89 < channel.pacer.paused_for <= 90
    channel = TelegramChannel(live.bot.bot)  # a fresh bot's pacer: the test does not wait the 90 s
    api.failures["sendMessage"] = [
        (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
    ]
    with pytest.raises(RecipientBlockedError):
        await channel.send(str(STP), OutgoingMessage("x"))


async def test_the_token_never_reaches_the_logs(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(SecretMaskingFilter([TOKEN]))
    with caplog.at_level(logging.DEBUG):
        await register_all(live)
        live.api.push_text(STP, NAMES[STP], "/hanbaocao")
        await live.api.reply_to(STP, "Các kỳ báo cáo")
    assert caplog.records, "expected some log records"
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text


async def test_webhook_mode_refuses_requests_without_the_secret(loaded: Database) -> None:
    api = BotApiStandIn(TOKEN)
    api.start()
    sender = OutboxSender(loaded.uows, {})
    hook = WebhookConfig("https://bot.example.invalid/telegram", "webhook-secret-0123456789")
    bot = TelegramBot(
        TOKEN,
        Conversation(loaded.uows, ServiceNotifier(sender)),
        admin_chats(loaded.uows, Platform.TELEGRAM),
        api.base_url,
        webhook=hook,
    )
    await bot.start()
    await bot.start_polling()  # the leader's part: in webhook mode, answering what the webhook kept
    hooks = [Webhook(WEBHOOK_PATH, TELEGRAM_SECRET_HEADER, hook.secret, bot.feed)]
    try:
        async with serving(loaded.uows, hooks) as server:
            port = server.port
            set_hook = next(p for m, p in api.calls if m == "setWebhook")
            assert set_hook["url"] == hook.url and set_hook["secret_token"] == hook.secret
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": STP, "type": "private"},
                    "from": {"id": STP, "is_bot": False, "first_name": "Sơn"},
                    "text": "/huongdan",
                },
            }
            url = f"http://127.0.0.1:{port}/telegram"
            async with httpx.AsyncClient() as client:
                wrong = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
                missing = await client.post(url, json=update)
                assert wrong.status_code == 403 and missing.status_code == 403
                assert api.sent(STP) == []
                right = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": hook.secret})
                assert right.status_code == 200
            await api.reply_to(STP, "Hệ thống nhắc việc của Sở Nội vụ")
    finally:
        await bot.stop()
        api.stop()


async def test_run_service_starts_telegram_and_answers(loaded: Database) -> None:
    api = BotApiStandIn(TOKEN)
    api.start()
    code = await _invite(loaded, "STP", Role.FOCAL)
    settings = Settings(
        database_url=loaded.url,
        database_schema=loaded.schema,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        telegram_bot_username="nhacviec_test_bot",
    )
    stop = asyncio.Event()
    service = asyncio.create_task(run_service(settings, stop, interactive=False))
    try:
        api.push_text(STP, "Lê Văn Sơn", f"/dangky {code}")
        await api.reply_to(STP, "Chào mừng đồng chí Lê Văn Sơn (Sở Tư pháp)", timeout=30)
    finally:
        stop.set()
        await asyncio.wait_for(service, 30)
        api.stop()


async def test_menus_list_every_registry_command_per_language_and_scope(loaded: Database) -> None:
    api = BotApiStandIn(TOKEN)
    api.start()
    conversation = Conversation(loaded.uows, ServiceNotifier(OutboxSender(loaded.uows, {})))
    admin = Sender(Platform.TELEGRAM, str(ADMIN), str(ADMIN), NAMES[ADMIN])  # registered before the bot starts
    code = await _invite(loaded, "SNV", Role.ADMIN)
    await conversation.handle(Incoming(admin, EventKind.COMMAND, command="dangky", args=code))
    bot = TelegramBot(TOKEN, conversation, admin_chats(loaded.uows, Platform.TELEGRAM), api.base_url, poll_timeout=1)
    await bot.start()
    await bot.start_polling()
    try:
        menus = [p for m, p in api.calls if m == "setMyCommands"]
    finally:
        await bot.stop()
        api.stop()

    def listed(scope: str) -> dict[str | None, list[str]]:
        return {
            p.get("language_code"): [c["command"] for c in p["commands"]] for p in menus if p["scope"]["type"] == scope
        }

    everyone = [c.name for c in COMMANDS if c.menu is Menu.EVERYONE]
    for_admins = [c.name for c in COMMANDS if c.menu is not Menu.NONE]
    assert {"kenh", "lienket"} <= set(everyone) and "tonghop" in for_admins and "tonghop" not in everyone
    assert listed("default") == {None: everyone, "en": everyone}
    assert listed("chat") == {None: for_admins, "en": for_admins}
    assert {p["scope"]["chat_id"] for p in menus if p["scope"]["type"] == "chat"} == {ADMIN}
    words = {p.get("language_code"): {c["command"]: c["description"] for c in p["commands"]} for p in menus}
    assert words[None]["kenh"] == "Nhận tin nhắc qua Telegram hay Zalo" and words["en"]["kenh"].startswith("Telegram")


async def test_one_chats_flood_does_not_hold_up_another_and_keeps_its_order(loaded: Database) -> None:
    """Issue 12, finding 8: updates were handled one at a time, so another user's /huongdan waited for a flood.
    The stand-in takes 50 ms per send (a round trip), so twenty replies to one chat take a second or more."""
    api = BotApiStandIn(TOKEN, FloodRules(per_bot=10_000, chat_burst=10_000, chat_per_second=10_000, latency=0.05))
    api.start()
    sender = OutboxSender(loaded.uows, {})
    conversation = Conversation(loaded.uows, ServiceNotifier(sender), Rules(), invite_links("nhacviec_test_bot"))
    bot = TelegramBot(TOKEN, conversation, admin_chats(loaded.uows, Platform.TELEGRAM), api.base_url, poll_timeout=1)
    bot.pacer = unpaced()
    await bot.start()
    await bot.start_polling()
    try:
        for uid in (STP, TTRA):
            api.push_text(
                uid, NAMES[uid], f"/start {await _invite(loaded, 'STP' if uid == STP else 'TTRA', Role.FOCAL)}"
            )
            await api.reply_to(uid, "Chào mừng")
        refs = [f"II.{i}" for i in range(1, 12)] * 2
        for ref in refs:
            api.push_text(STP, NAMES[STP], f"/nhiemvu {ref}")
        api.push_text(TTRA, NAMES[TTRA], "/hanbaocao")
        await api.reply_to(TTRA, "Các kỳ báo cáo của Thanh tra tỉnh", timeout=30)
        answered = [p for p in api.sent(STP) if "Kế hoạch số 46/KH-UBND, mục II." in p["text"]]
        assert len(answered) < len(refs) // 2  # the other chat was served while the flood was still going
        await api.wait_for(
            lambda: len([p for p in api.sent(STP) if "Kế hoạch số 46/KH-UBND, mục II." in p["text"]]) == len(refs),
            timeout=60,
        )
        order = [
            p["text"].split("mục ")[1].split(" ")[0]
            for p in api.sent(STP)
            if "Kế hoạch số 46/KH-UBND, mục II." in p["text"]
        ]
        assert order == refs  # one chat's updates in the order they came
    finally:
        await bot.stop()
        api.stop()


# ------------------------------------------------------------------ issue 28: one road for replies


async def test_a_telegram_reply_refused_for_a_while_is_kept_and_sent_after_a_restart(loaded: Database) -> None:
    """Telegram's replies went inline, retried in memory: a stop while Telegram refused them lost them. Now a
    polled update is kept, answered by the inbox, and its reply stays in the database until it goes, sent by the
    next leader after a stop (as Zalo's: one road). The stand-in answers the chat's sends 502 until told
    otherwise."""
    api = BotApiStandIn(TOKEN)
    api.down.add(STP)
    api.start()

    def leader() -> TelegramBot:
        conversation = Conversation(loaded.uows, ServiceNotifier(OutboxSender(loaded.uows, {})))
        chats = admin_chats(loaded.uows, Platform.TELEGRAM)
        return TelegramBot(TOKEN, conversation, chats, api.base_url, poll_timeout=1, pacer=unpaced(), backoff=0.01)

    bot = leader()
    await bot.start()
    await bot.start_polling()
    try:
        api.push_text(STP, "Sơn", "/huongdan")

        async def owed() -> bool:
            async with loaded.sessions() as s:
                row = await s.scalar(select(t.InboundUpdate).where(t.InboundUpdate.platform == "telegram"))
                return row is not None and row.replies is not None and row.attempts >= 2 and row.done_at is None

        await until(owed, "the reply kept and tried again")
        await bot.stop()
        assert [d for d in api.delivered if d[0] == STP] == []  # tried, not delivered
        api.down.discard(STP)  # Telegram delivers again
        bot = leader()  # the next leader
        await bot.start()
        await bot.start_polling()
        await api.reply_to(STP, "Hệ thống nhắc việc của Sở Nội vụ")
        await until(bot.inbox.idle, "nothing left to answer")
        assert len([d for d in api.delivered if d[0] == STP]) == 1  # handled once, delivered once
    finally:
        await bot.stop()
        api.stop()
