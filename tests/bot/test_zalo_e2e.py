"""End to end over the Zalo Bot API: the real poller, webhook, client, channel, quota meter, outbox and
core against a local stand-in of the API (tests/zalo_standin.py) — the only fake — and, for the
fallback, the Telegram stand-in. Time travels to Monday 10/4/2023 (ticking).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import time_machine
from sqlalchemy import func, select
from telegram import Bot

from bot.telegram.channel import TelegramChannel
from bot.zalo.app import SECRET_HEADER, WEBHOOK_PATH, ZaloBot, ZaloWebhookConfig
from bot.zalo.channel import ZaloChannel
from bot.zalo.client import ZaloClient
from core.conversation.engine import Conversation
from core.conversation.events import EventKind, Incoming, Sender
from core.deadlines import VN_TZ, utcnow
from core.ports import ChannelUnavailableError, OutgoingMessage
from core.types import Platform, Priority, Role
from core.usecases.quota import QuotaGate
from core.usecases.rules import Rules
from models import tables as t
from nhacviec.config import Settings
from nhacviec.http import Webhook
from nhacviec.logsafety import SecretMaskingFilter
from nhacviec.notifier import ServiceNotifier
from nhacviec.service import make_conversation, run_service
from scheduler.engine import ReminderEngine
from scheduler.sender import OutboxSender
from tests.cli_runner import ENTRY, run_cli
from tests.conftest import Database
from tests.dashboard_client import signed_in
from tests.factories import invite_code
from tests.fakes import unpaced
from tests.serving import serving
from tests.telegram_standin import BotApiStandIn
from tests.waiting import until
from tests.zalo_standin import ZaloApiStandIn

TOKEN = "3141592653589793238:QzRkYm9zLXNlY3JldC10b2tlbi1mb3ItdGVzdHM"
TG_TOKEN = "6123456789:AAHk7xQvZ-secret-part-of-the-token_0123"
APRIL = "46/KH-UBND:thang:2023-04"


@pytest.fixture(autouse=True)
def april() -> Iterator[None]:
    with time_machine.travel(datetime(2023, 4, 10, 9, 0, tzinfo=VN_TZ), tick=True):
        yield


async def _invite(db: Database, agency: str, role: Role) -> str:
    return await invite_code(db, agency, role)


@dataclass
class Z:
    api: ZaloApiStandIn
    bot: ZaloBot
    channel: ZaloChannel
    sender: OutboxSender
    conversation: Conversation
    db: Database


def _parts(db: Database, api: ZaloApiStandIn, quota: int = 3000) -> tuple[ZaloChannel, OutboxSender, Conversation]:
    meter = QuotaGate(db.uows, Platform.ZALO, quota)
    channel = ZaloChannel(ZaloClient(TOKEN, api.base_url), meter, unpaced())
    sender = OutboxSender(db.uows, {Platform.ZALO: channel})
    settings = Settings(_env_file=None, telegram_bot_username="nhacviec_test_bot")
    return channel, sender, make_conversation(settings, db.uows, ServiceNotifier(sender))


@pytest.fixture
async def z(loaded: Database) -> AsyncIterator[Z]:
    api = ZaloApiStandIn(TOKEN)
    api.start()
    channel, sender, conversation = _parts(loaded, api)
    bot = ZaloBot(loaded.uows, ZaloClient(TOKEN, api.base_url), channel, conversation, poll_timeout=1, backoff=0.01)
    await bot.start()
    bot.start_polling()
    try:
        yield Z(api, bot, channel, sender, conversation, loaded)
    finally:
        await bot.stop()
        await channel.client.close()
        api.stop()


async def register(z: Z, uid: str, name: str, agency: str, role: Role = Role.FOCAL) -> None:
    z.api.push_text(uid, name, f"/dangky {await _invite(z.db, agency, role)}")
    await z.api.reply_to(uid, "Chào mừng")


async def test_register_tasks_and_submit_by_number(z: Z) -> None:
    api = z.api
    await register(z, "z-stp", "Lê Văn Sơn", "STP")
    api.push_text("z-stp", "Lê Văn Sơn", "nhiem vu")  # typed on a phone: no slash, no diacritics
    tasks = await api.reply_to("z-stp", "Nhiệm vụ của Sở Tư pháp")
    assert "III.3 —" in tasks and "Trả lời bằng số thứ tự để chọn." in tasks
    api.push_text("z-stp", "Lê Văn Sơn", "Đã nộp")
    menu = await api.reply_to("z-stp", "Đồng chí xác nhận Sở Tư pháp đã gửi báo cáo kỳ nào")
    assert "1. Báo cáo tháng 4/2023" in menu
    api.push_text("z-stp", "Lê Văn Sơn", "1")
    confirm = await api.reply_to("z-stp", "rồi xác nhận")
    assert "1. Xác nhận đã nộp" in confirm and "2. Hủy" in confirm
    api.push_text("z-stp", "Lê Văn Sơn", "125/BC-STP")
    await api.reply_to("z-stp", "Số văn bản: 125/BC-STP")
    api.push_text("z-stp", "Lê Văn Sơn", "1")
    await api.reply_to("z-stp", "Đã ghi nhận: Sở Tư pháp nộp báo cáo tháng 4/2023")
    async with z.db.sessions() as s:
        sub = await s.scalar(select(t.Submission))
        assert sub is not None and sub.document_number == "125/BC-STP"
    await api.wait_for(lambda: api.idle_polls >= 2)  # idle long polls answered with HTTP 408…
    api.push_text("z-stp", "Lê Văn Sơn", "trạng thái")
    await api.reply_to("z-stp", "Lịch sử nộp báo cáo của Sở Tư pháp")  # …and the poller carried on
    assert all(len(text) <= 2000 for text in api.sent())


async def test_duplicate_message_id_is_ignored(z: Z) -> None:
    await register(z, "z-nh", "Dung", "UBND-NH")
    z.api.push_text("z-nh", "Dung", "/huongdan", message_id="same-1")
    z.api.push_text("z-nh", "Dung", "/huongdan", message_id="same-1")
    z.api.push_text("z-nh", "Dung", "/hanbaocao", message_id="other-2")
    await z.api.reply_to("z-nh", "Các kỳ báo cáo")
    assert (
        sum("Hệ thống nhắc việc của Sở Nội vụ" in text for text in z.api.sent("z-nh")) == 2
    )  # one after /dangky, one for /huongdan


async def test_reminders_are_delivered_and_long_texts_split(z: Z) -> None:
    await register(z, "z-stp", "Lê Văn Sơn", "STP")
    engine = ReminderEngine(z.db.uows, Rules(), z.sender, None)
    assert await engine.fire_key(f"{APRIL}:before:3", datetime(2023, 4, 12, 8, 0, tzinfo=VN_TZ)) == 1
    assert (await z.sender.drain_once()).sent == 1
    reminder = await z.api.reply_to("z-stp", "Thực hiện Kế hoạch số 46/KH-UBND")
    assert "Kính gửi: Đồng chí Lê Văn Sơn, Sở Tư pháp." in reminder and "/danop" in reminder

    gate = z.channel.quota
    assert isinstance(gate, QuotaGate)
    used_before, sent_before = await gate.used(), len(z.api.sent("z-stp"))
    long_text = "\n".join(f"Dòng {i}: " + "nội dung báo cáo " * 8 for i in range(40))
    await z.channel.send("z-stp", OutgoingMessage(long_text))
    parts = z.api.sent("z-stp")[sent_before:]
    assert len(long_text) > 4000 and len(parts) >= 3 and all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == long_text  # cut at line ends only, nothing lost
    assert await gate.used() == used_before + len(parts)  # every part counts against the quota


async def _handled(db: Database, n: int) -> bool:
    async with db.sessions() as s:
        return (await s.scalar(select(func.count()).select_from(t.SeenUpdate))) == n


async def test_a_stranger_gets_a_few_replies_and_never_the_reserve_kept_for_reminders(
    z: Z, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 24, finding 2: 60 messages from one unregistered user spent 60 of the month's 3,000. Now a stranger
    gets ten replies an hour, and none from the 5 % kept for reminders, while a registered person still does."""
    await register(z, "z-stp", "Lê Văn Sơn", "STP")
    gate = z.channel.quota
    assert isinstance(gate, QuotaGate)

    async def counted() -> bool:  # every message the stand-in received is on the meter
        return await gate.used() == len(z.api.sent())

    await z.api.wait_for(lambda: len(z.api.sent("z-stp")) >= 2)  # the welcome, then the help
    await until(counted, "the registration's replies counted")
    before = await gate.used()
    for i in range(30):
        z.api.push_text("z-stranger", "Người lạ", f"xin chào {i}")
    await z.api.wait_for(lambda: len(z.api.sent("z-stranger")) >= 10)
    await until(lambda: _handled(z.db, 31), "every message read (the registration was one)")
    await until(counted, "the replies counted")
    assert len(z.api.sent("z-stranger")) == 10
    assert all("chưa đăng ký" in text for text in z.api.sent("z-stranger"))
    assert await gate.used() == before + 10
    async with z.db.uows() as uow:  # the month is at the reserve: 2,850 of 3,000
        await uow.usage.take(Platform.ZALO, "2023-04", 2850 - await gate.used(), 3000)
        await uow.commit()
    answered = len(z.api.sent("z-stp"))
    z.api.push_text("z-other", "Người lạ khác", "/start")
    z.api.push_text("z-stp", "Lê Văn Sơn", "/hanbaocao")
    await z.api.reply_to("z-stp", "Các kỳ báo cáo")
    await until(lambda: _handled(z.db, 33), "both messages read")
    await until(lambda: "quota kept for reminders" in caplog.text, "the stranger's reply refused by the reserve")
    assert z.api.sent("z-other") == []

    async def reply_counted() -> bool:  # the registered person's reply went, from the reserve
        return await gate.used() == 2850 + len(z.api.sent("z-stp")) - answered > 2850

    await until(reply_counted, "the registered person's reply counted")


async def test_webhook_refuses_requests_without_the_secret(loaded: Database) -> None:
    api = ZaloApiStandIn(TOKEN)
    api.start()
    channel, _, conversation = _parts(loaded, api)
    hook = ZaloWebhookConfig("https://bot.example.invalid/zalo", "zalo-webhook-secret-42")
    bot = ZaloBot(loaded.uows, ZaloClient(TOKEN, api.base_url), channel, conversation, webhook=hook)
    await bot.start()
    bot.start_polling()  # the leader's part: in webhook mode, answering what the webhook kept
    try:
        async with serving(loaded.uows, [Webhook(WEBHOOK_PATH, SECRET_HEADER, hook.secret, bot.handle)]) as server:
            url = server.url + WEBHOOK_PATH
            assert api.webhook == {"url": hook.url, "secret_token": hook.secret}
            wrapped = {"ok": True, "result": ZaloApiStandIn.update("w1", "Web", "/huongdan", "wm1")}
            bare = ZaloApiStandIn.update("w2", "Web", "/huongdan", "wm2")
            async with httpx.AsyncClient() as http:
                assert (await http.post(url, json=wrapped)).status_code == 403
                assert (
                    await http.post(url, json=wrapped, headers={"X-Bot-Api-Secret-Token": "zalo-webhook-secret-4"})
                ).status_code == 403
                assert api.sent() == []
                ok = await http.post(url, json=wrapped, headers={"X-Bot-Api-Secret-Token": hook.secret})
                assert ok.status_code == 200
                ok2 = await http.post(url, json=bare, headers={"X-Bot-Api-Secret-Token": hook.secret})
                assert ok2.status_code == 200
            await api.reply_to("w1", "Hệ thống nhắc việc của Sở Nội vụ")  # answered after the webhook was
            await api.reply_to("w2", "Hệ thống nhắc việc của Sở Nội vụ")
    finally:
        await bot.stop()
        await channel.client.close()
        api.stop()


async def test_quota_warnings_and_priority_near_the_quota(loaded: Database) -> None:
    api = ZaloApiStandIn(TOKEN)
    api.start()
    channel, _, conversation = _parts(loaded, api, quota=10)
    try:
        admin = Sender(Platform.ZALO, "z-admin", "z-admin", "Phạm Quản Trị")
        code = await _invite(loaded, "SNV", Role.ADMIN)
        await conversation.handle(Incoming(admin, EventKind.COMMAND, command="dangky", args=code))
        for i in range(8):
            await channel.send("z-x", OutgoingMessage(f"tin {i}"))
        async with loaded.sessions() as s:
            warnings = (await s.scalars(select(t.Delivery).where(t.Delivery.kind == "quota"))).all()
        assert [w.dedup_key.split("#")[0] for w in warnings] == ["quota:zalo:2023-04:80"]
        assert "Zalo đã dùng 80% hạn mức tin nhắn của tháng này (8/10 tin)" in warnings[0].text
        await channel.send("z-x", OutgoingMessage("tin 9"))  # 90 %: still fine for a reminder
        await channel.send("z-x", OutgoingMessage("nhắc", priority=Priority.NORMAL))  # 100 %
        with pytest.raises(ChannelUnavailableError) as info:
            await channel.send("z-x", OutgoingMessage("bản tổng hợp", priority=Priority.LOW))
        assert info.value.until == datetime(2023, 5, 1, tzinfo=VN_TZ)
        async with loaded.sessions() as s:
            keys = sorted(
                w.dedup_key.split("#")[0]
                for w in (await s.scalars(select(t.Delivery).where(t.Delivery.kind == "quota"))).all()
            )
        assert keys == ["quota:zalo:2023-04:80", "quota:zalo:2023-04:95"]
    finally:
        await channel.client.close()
        api.stop()


async def test_fallback_to_telegram_when_zalo_answers_429(loaded: Database) -> None:
    zapi, tapi = ZaloApiStandIn(TOKEN), BotApiStandIn(TG_TOKEN)
    zapi.start()
    tapi.start()
    meter = QuotaGate(loaded.uows, Platform.ZALO, 3000)
    zchannel = ZaloChannel(ZaloClient(TOKEN, zapi.base_url), meter, unpaced())
    tbot = Bot(TG_TOKEN, base_url=tapi.base_url)
    await tbot.initialize()
    sender = OutboxSender(loaded.uows, {Platform.ZALO: zchannel, Platform.TELEGRAM: TelegramChannel(tbot, unpaced())})
    conversation = Conversation(loaded.uows, ServiceNotifier(sender))
    try:
        on_zalo = Sender(Platform.ZALO, "z-son", "z-son", "Lê Văn Sơn")
        on_telegram = Sender(Platform.TELEGRAM, "4242", "4242", "Lê Văn Sơn")
        await conversation.handle(
            Incoming(on_zalo, EventKind.COMMAND, command="dangky", args=await _invite(loaded, "STP", Role.FOCAL))
        )
        link = await conversation.handle(Incoming(on_zalo, EventKind.TEXT, text="lien ket"))
        code = link[0].text.split("/dangky ")[1].split()[0]
        linked = await conversation.handle(Incoming(on_telegram, EventKind.COMMAND, command="start", args=code))
        assert "Đã liên kết" in linked[0].text
        channels = await conversation.handle(Incoming(on_zalo, EventKind.COMMAND, command="kenh"))
        assert "Zalo" in channels[0].text and "Telegram" in channels[0].text
        assert (await sender.drain_once()).sent == 1  # the Zalo account is told a Telegram account was linked
        assert "Một tài khoản Telegram đã được liên kết với đồng chí" in zapi.sent("z-son")[-1]

        zapi.failures["sendMessage"] = [(429, {"ok": False, "error_code": 429, "description": "Quota exceeded"})]
        engine = ReminderEngine(loaded.uows, Rules(), sender, None)
        assert await engine.fire_key(f"{APRIL}:before:3", datetime(2023, 4, 12, 8, 0, tzinfo=VN_TZ)) == 1
        first = await sender.drain_once()
        assert first.failed == 1 and first.sent == 1  # Zalo refused; the copy went through Telegram
        telegram_copies = [p["text"] for p in tapi.sent(4242) if "Thực hiện Kế hoạch số 46/KH-UBND" in p["text"]]
        assert len(telegram_copies) == 1 and not [x for x in zapi.sent("z-son") if "Thực hiện Kế hoạch" in x]
        copy = next(p for p in tapi.sent(4242) if "Thực hiện Kế hoạch số 46/KH-UBND" in p["text"])
        seen = await conversation.handle(Incoming(on_telegram, EventKind.CHOICE, token=tapi.button(copy, "Đã nhận")))
        assert "đã ghi nhận đồng chí đã nhận lời nhắc" in seen[0].text  # on the copy that fell back, too
        await sender.drain_once()
        assert (
            len([p for p in tapi.sent(4242) if "Thực hiện Kế hoạch số 46/KH-UBND" in p["text"]]) == 1
        )  # once, never twice
        async with loaded.sessions() as s:
            rows = (
                await s.scalars(select(t.Delivery).where(t.Delivery.kind != "account").order_by(t.Delivery.id))
            ).all()
            assert [(r.status, r.dedup_key.endswith("~telegram")) for r in rows] == [("failed", False), ("sent", True)]
    finally:
        await zchannel.client.close()
        await tbot.shutdown()
        zapi.stop()
        tapi.stop()


async def test_run_starts_both_channels_and_stops_cleanly(loaded: Database) -> None:
    zapi, tapi = ZaloApiStandIn(TOKEN), BotApiStandIn(TG_TOKEN)
    zapi.start()
    tapi.start()
    settings = Settings(
        database_url=loaded.url,
        database_schema=loaded.schema,
        telegram_bot_token=TG_TOKEN,
        telegram_api_base_url=tapi.base_url,
        zalo_bot_token=TOKEN,
        zalo_api_base_url=zapi.base_url,
    )
    stop = asyncio.Event()
    service = asyncio.create_task(run_service(settings, stop, interactive=False))
    try:
        zapi.push_text("z-1", "An", f"/dangky {await _invite(loaded, 'STP', Role.FOCAL)}")
        tapi.push_text(77, "Bình", f"/start {await _invite(loaded, 'STC', Role.FOCAL)}")
        await zapi.reply_to("z-1", "Chào mừng đồng chí An (Sở Tư pháp)", timeout=30)
        await tapi.reply_to(77, "Chào mừng đồng chí Bình (Sở Tài chính)", timeout=30)
    finally:
        stop.set()
        await asyncio.wait_for(service, 40)
        zapi.stop()
        tapi.stop()


async def test_the_token_never_reaches_the_logs(z: Z, caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(SecretMaskingFilter([TOKEN]))
    # Two server errors (the reply is tried again by the bot), then a 401 whose description echoes the token.
    z.api.failures["sendMessage"] = [(500, {"ok": False, "error_code": 500, "description": f"boom bot{TOKEN}"})] * 2
    with caplog.at_level(logging.DEBUG):
        await register(z, "z-log", "Nhật Ký", "STP")
        z.api.failures["sendMessage"] = [
            (401, {"ok": False, "error_code": 401, "description": f"Unauthorized token {TOKEN}"})
        ]
        z.api.push_text("z-log", "Nhật Ký", "/huongdan")
        await z.api.wait_for(lambda: not z.api.failures["sendMessage"])
        z.api.push_text("z-log", "Nhật Ký", "/hanbaocao")
        await z.api.reply_to("z-log", "Các kỳ báo cáo", timeout=20)
    assert any("401" in r.getMessage() for r in caplog.records if r.name.startswith(("bot.zalo", "bot.inbox")))
    assert caplog.records
    secret = TOKEN.split(":")[1]
    assert TOKEN not in caplog.text and secret not in caplog.text
    ours = ("bot", "core", "models", "scheduler", "nhacviec")
    for record in caplog.records:
        if record.name.startswith(ours):
            assert secret not in record.getMessage() and secret not in (record.exc_text or "")


@pytest.mark.proof(seconds=6)  # `nhacviec run` in a subprocess
def test_logs_of_a_real_run_never_contain_the_token(tmp_path: Path) -> None:
    """`nhacviec run` in a subprocess at DEBUG, with Zalo failing in ways that echo the token back."""
    api = ZaloApiStandIn(TOKEN)
    api.start()
    api.failures["getUpdates"] = [  # each failure is logged, and the poller waits 1 s, then 2 s, before the next
        (500, {"ok": False, "error_code": 500, "description": f"down bot{TOKEN}"}),
        (401, {"ok": False, "error_code": 401, "description": f"Unauthorized: {TOKEN}"}),
    ]
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        "ZALO_BOT_TOKEN": TOKEN,
        "ZALO_API_BASE_URL": api.base_url,
        "LOG_LEVEL": "DEBUG",
    }
    try:
        assert run_cli(["db", "upgrade"], env, tmp_path).code == 0
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_", "ZALO_"))}
        log_file = (tmp_path / "run.log").open("w")  # a file, not a pipe: DEBUG output would fill a pipe and stall
        proc = subprocess.Popen(
            [str(ENTRY), "run"],
            cwd=tmp_path,
            env={**full_env, **env},
            text=True,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            api.push_text("z-9", "Khách", "/huongdan")
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline and not api.sent("z-9"):
                time.sleep(0.1)
            answered = bool(api.sent("z-9"))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=40)
            log_file.close()
            output = (tmp_path / "run.log").read_text()
    finally:
        api.stop()
    assert answered, "\n".join(line for line in output.splitlines() if "aiosqlite" not in line)[-4000:]
    assert proc.returncode == 0
    assert "Zalo poll failed" in output and "401" in output  # the failures were logged…
    assert TOKEN not in output and TOKEN.split(":")[1] not in output  # …and the token never was


async def test_a_zalo_user_who_chose_english_gets_the_english_list_hint(z: Z) -> None:
    await register(z, "z-en", "Lê Văn Sơn", "STP")
    z.api.push_text("z-en", "Lê Văn Sơn", "/ngonngu")
    vi = await z.api.reply_to("z-en", "Chọn ngôn ngữ")
    assert "1. Tiếng Việt\n2. English" in vi and "Trả lời bằng số" in vi
    z.api.push_text("z-en", "Lê Văn Sơn", "2")
    await z.api.reply_to("z-en", "Language set: English.")
    z.api.push_text("z-en", "Lê Văn Sơn", "/danop")
    en = await z.api.reply_to("z-en", "Which report has")
    assert "Reply with the number of your choice." in en and "Trả lời bằng số" not in en


async def test_reminder_choices_by_number_confirm_and_tell_the_other_focal_person(z: Z) -> None:
    """Zalo has no buttons: the reminder's choices are numbered; "1" confirms, and the agency's other copy
    gets a short follow-up (Zalo cannot edit a message)."""
    await register(z, "z-son", "Lê Văn Sơn", "STP")
    await register(z, "z-ha", "Trần Thu Hà", "STP")
    engine = ReminderEngine(z.db.uows, Rules(), z.sender, None)
    assert await engine.fire_key(f"{APRIL}:due:0", datetime(2023, 4, 14, 8, 0, tzinfo=VN_TZ)) == 2
    await z.sender.drain_once()
    reminder = await z.api.reply_to("z-son", "Thực hiện Kế hoạch số 46/KH-UBND")
    assert "1. Đã nộp báo cáo" in reminder and "2. Đã nhận" in reminder
    z.api.push_text("z-son", "Lê Văn Sơn", "1")
    recorded = await z.api.reply_to("z-son", "Đã ghi nhận: Sở Tư pháp nộp báo cáo tháng 4/2023")
    assert "1. Bỏ qua" in recorded
    z.api.push_text("z-son", "Lê Văn Sơn", "125/BC-STP")
    await z.api.reply_to("z-son", "Số văn bản: 125/BC-STP")
    async with z.db.sessions() as s:
        sub = await s.scalar(select(t.Submission))
    assert sub is not None and sub.document_number == "125/BC-STP" and not sub.late
    await z.sender.drain_once()
    note = await z.api.reply_to("z-ha", "Báo cáo tháng 4/2023 (KH 46/KH-UBND): đã nộp, Lê Văn Sơn xác nhận lúc")
    assert "Đã nộp báo cáo" not in note  # a statement, no choices
    assert not [m for m in z.api.sent("z-son") if "đã nộp, Lê Văn Sơn xác nhận" in m]  # not told his own act


# ------------------------------------------------------------------ issue 24, finding 9: kept, then answered


async def _webhook_bot(db: Database, api: ZaloApiStandIn, backoff: float = 0.01) -> ZaloBot:
    channel, _, conversation = _parts(db, api)
    hook = ZaloWebhookConfig("https://bot.example.invalid/zalo", "zalo-webhook-secret-42")
    bot = ZaloBot(db.uows, ZaloClient(TOKEN, api.base_url), channel, conversation, webhook=hook, backoff=backoff)
    await bot.start()
    bot.start_polling()  # the leader's part
    return bot


async def _post(http: httpx.AsyncClient, url: str, uid: str, text: str, mid: str) -> httpx.Response:
    body = ZaloApiStandIn.update(uid, "Người dùng", text, mid)
    return await http.post(url, json=body, headers={SECRET_HEADER: "zalo-webhook-secret-42"})


async def test_a_webhook_answers_once_the_update_is_kept_and_chats_are_answered_at_once_each_in_order(
    loaded: Database,
) -> None:
    """Each Zalo webhook used to wait for its paced reply (80 s over a burst of 2,000) and the poller took one
    update at a time. Now the webhook answers as soon as the update is in the database; a chat whose replies are
    slow to go (held by the stand-in) does not hold another chat up, and its own replies keep their order."""
    api = ZaloApiStandIn(TOKEN)
    api.start()
    bot = await _webhook_bot(loaded, api)
    api.hold("slow")
    try:
        async with serving(
            loaded.uows, [Webhook(WEBHOOK_PATH, SECRET_HEADER, "zalo-webhook-secret-42", bot.handle)]
        ) as s:
            url = s.url + WEBHOOK_PATH
            async with httpx.AsyncClient(timeout=30) as http:
                assert (await _post(http, url, "slow", "/start", "m1")).status_code == 200
                assert (await _post(http, url, "slow", "/huongdan", "m2")).status_code == 200
                assert (await _post(http, url, "quick", "/start", "m3")).status_code == 200
                assert (await _post(http, url, "quick", "/start", "m3")).status_code == 200  # sent again by Zalo
            await api.reply_to("quick", "chưa đăng ký")  # answered while the slow chat's first reply hangs
            assert api.sent("slow") == []
            async with loaded.sessions() as sess:
                kept = (await sess.scalars(select(t.InboundUpdate.update_key).order_by(t.InboundUpdate.id))).all()
            assert kept == ["m1", "m2", "m3"]
            api.release("slow")
            await until(bot.inbox.idle, "every update answered")
        slow = api.sent("slow")
        assert len(slow) == 2 and "chưa đăng ký" in slow[0] and "Hệ thống nhắc việc" in slow[1]  # in order
        assert len(api.sent("quick")) == 1  # the update Zalo sent twice was answered once
    finally:
        await bot.stop()
        api.stop()


async def test_twenty_copies_of_one_update_at_once_are_kept_once_and_all_answered_200(loaded: Database) -> None:
    """Issue 28, finding 13: simultaneous copies of one update (Zalo retrying, a proxy repeating) gave four 500s with
    an IntegrityError: the update was looked for, then inserted. Now it is inserted or nothing, in one statement."""
    api = ZaloApiStandIn(TOKEN)
    api.start()
    bot = await _webhook_bot(loaded, api)
    try:
        async with serving(
            loaded.uows, [Webhook(WEBHOOK_PATH, SECRET_HEADER, "zalo-webhook-secret-42", bot.handle)]
        ) as s:
            url = s.url + WEBHOOK_PATH
            async with httpx.AsyncClient(timeout=30) as http:
                answers = await asyncio.gather(*(_post(http, url, "twin", "/start", "same-1") for _ in range(20)))
            assert [a.status_code for a in answers] == [200] * 20
            await until(bot.inbox.idle, "the update answered")
        async with loaded.sessions() as sess:
            kept = (await sess.scalars(select(t.InboundUpdate.update_key))).all()
        assert kept == ["same-1"]
        assert len(api.sent("twin")) == 1  # answered once
    finally:
        await bot.stop()
        api.stop()


async def test_a_reply_that_fails_for_a_while_is_kept_and_sent_after_a_restart(loaded: Database) -> None:
    """A reply that failed to send was logged and lost after three tries. Now it stays in the database with the
    update: tried again with backoff, and sent by the next leader after a stop."""
    api = ZaloApiStandIn(TOKEN)
    api.start()
    down = (500, {"ok": False, "error_code": 500, "description": "Internal error"})
    api.failures["sendMessage"] = [down] * 4  # more than the three tries of before
    bot = await _webhook_bot(loaded, api, backoff=0.01)
    try:
        await bot.handle(ZaloApiStandIn.update("z-1", "Người dùng", "/start", "k1"))
        await api.reply_to("z-1", "chưa đăng ký")  # after four refusals
        assert len(api.sent("z-1")) == 1
        api.failures["sendMessage"] = [down] * 1000  # Zalo down: the leader stops with a reply still owed
        await bot.handle(ZaloApiStandIn.update("z-1", "Người dùng", "/huongdan", "k2"))

        async def owed() -> bool:
            async with loaded.sessions() as sess:
                row = await sess.scalar(select(t.InboundUpdate).where(t.InboundUpdate.update_key == "k2"))
                return row is not None and row.replies is not None and row.attempts >= 2 and row.done_at is None

        await until(owed, "the reply kept and tried again")
        await bot.stop()
        api.failures["sendMessage"] = []
        assert len(api.sent("z-1")) == 1
        bot = await _webhook_bot(loaded, api)  # the next leader
        await api.reply_to("z-1", "Hệ thống nhắc việc")
        await until(bot.inbox.idle, "nothing left to answer")
        assert len(api.sent("z-1")) == 2  # handled once, sent once
    finally:
        await bot.stop()
        api.stop()


async def test_the_poller_answers_chats_at_once_too(z: Z) -> None:
    """The poller took one update at a time, so one slow chat held every other. Now it keeps each update and the
    same inbox answers them: a chat whose reply hangs (held by the stand-in) does not hold another up."""
    z.api.hold("z-slow")
    z.api.push_text("z-slow", "Chậm", "/start")
    z.api.push_text("z-fast", "Nhanh", "/start")
    await z.api.reply_to("z-fast", "chưa đăng ký")
    assert z.api.sent("z-slow") == []
    z.api.release("z-slow")
    await z.api.reply_to("z-slow", "chưa đăng ký")


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
async def test_the_inbox_stops_when_it_is_kicked_as_it_is_stopped(z: Z, turns: int) -> None:
    """A chat task's last kick can land while stop() cancels the inbox's loop; on Python 3.11 ``asyncio.wait_for``
    then swallowed the cancellation and stop() waited for ever (a CI run hung in a teardown). Each interleaving of
    the kick and the cancellation is tried; stop() must return."""
    inbox = z.bot.inbox
    await until(inbox.idle, "the registration-free inbox idle")
    inbox._kick.set()
    for _ in range(turns):
        await asyncio.sleep(0)
    async with asyncio.timeout(10):
        await inbox.stop()


# ------------------------------------------------------------------ issue 28, finding 4: a poison update


async def test_a_message_cut_inside_an_emoji_is_answered_and_the_chat_goes_on(z: Z) -> None:
    """A nickname or text holding a lone surrogate (what a platform sends when it cuts a message inside an emoji)
    made the reply fail to encode, retried about once a second for ever; that chat's later messages waited. The
    update is now cleaned when kept (the half emoji becomes "�")."""
    await register(z, "z-cut", "Lê Văn Cắt \ud83d", "STP")
    z.api.push_text("z-cut", "Lê Văn Cắt \ud83d", "/hanbaocao \ude00")
    await z.api.reply_to("z-cut", "Báo cáo")  # the next message is answered
    async with z.db.sessions() as s:
        name = await s.scalar(select(t.Person.display_name).join(t.ChatAccount).where(t.ChatAccount.chat_id == "z-cut"))
    assert name == "Lê Văn Cắt \ufffd"


async def test_a_poison_update_is_set_aside_after_three_tries_and_the_chat_goes_on(z: Z, tmp_path: Path) -> None:
    """A reply kept by the version before this one, which no encoder takes, used to be retried for ever (each time a
    2 KB traceback) and held its chat up across restarts. Every failure now counts: after three the update is set
    aside (kept 30 days, listed by `nhacviec inbox`), the person is told once, and the chat's next message is
    answered."""
    async with z.db.uows() as uow:
        body = ZaloApiStandIn.update("z-poison", "Người dùng", "/start", "poison-1")
        assert await uow.inbox.add(Platform.ZALO, "poison-1", "z-poison", body, utcnow())
        (kept,) = await uow.inbox.waiting(Platform.ZALO, utcnow(), 10)
        await uow.inbox.keep_replies(kept.id, [{"text": "Xin chào \ud83d", "choices": [], "language": "vi"}])
        await uow.commit()
    z.bot.inbox._kick.set()
    told = await z.api.reply_to("z-poison", "chưa xử lý được tin nhắn vừa rồi")
    assert "liên hệ Sở Nội vụ" in told
    z.api.push_text("z-poison", "Người dùng", "/start")
    await z.api.reply_to("z-poison", "chưa đăng ký")  # the chat goes on
    assert len([m for m in z.api.sent("z-poison") if "chưa xử lý được" in m]) == 1  # told once
    async with z.db.sessions() as s:
        row = await s.scalar(select(t.InboundUpdate).where(t.InboundUpdate.update_key == "poison-1"))
    assert row is not None and row.set_aside_at is not None and row.attempts == 3
    assert row.last_error is not None and "UnicodeEncodeError" in row.last_error
    listed = run_cli(["inbox", "--json"], z.db.env, tmp_path)
    assert listed.code == 0, listed.err
    (shown,) = listed.json()
    assert shown["chat_id"] == "z-poison" and "UnicodeEncodeError" in shown["error"]
    async with signed_in(z.db) as admin:
        page = (await admin.client.get("/can-bo")).text
    assert "Tin nhắn chưa trả lời được" in page and "z-poison" in page  # an admin sees it on the dashboard


async def test_a_zalo_confirmation_brings_a_one_time_link_to_upload_the_file(z: Z) -> None:
    """Zalo's Bot API gives bots no documents (text, pictures, stickers only): the confirmation answers with a
    one-time link to the dashboard's cell of the agency and period, where the file is uploaded (issue 32)."""
    from urllib.parse import parse_qs, urlsplit

    from starlette.applications import Starlette

    from tests.report_documents import word_report
    from web.app import dashboard_routes

    api = z.api
    await register(z, "z-stp", "Lê Văn Sơn", "STP")
    api.push_text("z-stp", "Lê Văn Sơn", "/danop thang:2023-04")
    confirm = await api.reply_to("z-stp", "rồi xác nhận")
    assert "hoặc tệp báo cáo" not in confirm  # Zalo cannot carry it: not offered
    api.push_text("z-stp", "Lê Văn Sơn", "1")
    receipt = await api.reply_to("z-stp", "Đã ghi nhận: Sở Tư pháp nộp báo cáo tháng 4/2023")
    assert "Để gửi kèm tệp báo cáo, đồng chí mở đường dẫn sau (dùng một lần" in receipt
    link = next(line for line in receipt.splitlines() if "/dang-nhap?t=" in line)
    query = parse_qs(urlsplit(link).query)
    async with z.db.sessions() as s:
        sub = await s.scalar(select(t.Submission))
        assert sub is not None and sub.report_file_id is None
    assert query["next"] == [f"/o/{sub.period_id}/STP"]

    app = Starlette(routes=dashboard_routes(z.db.uows, Rules(), "zalo-upload-test-secret"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dashboard") as web:
        opened = await web.get("/dang-nhap", params={"t": query["t"][0], "next": query["next"][0]})
        assert opened.status_code == 303 and opened.headers["location"] == f"/o/{sub.period_id}/STP"
        cell = await web.get(opened.headers["location"])
        assert "Gửi kèm tệp báo cáo" in cell.text
        csrf = cell.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        data = word_report("Sở Tư pháp", "125/BC-STP")
        sent = await web.post(f"/o/{sub.period_id}/STP/tep", data={"csrf": csrf}, files={"file": ("bc.docx", data)})
        assert sent.status_code == 303
        again = await web.get("/dang-nhap", params={"t": query["t"][0]})
        assert again.status_code == 403  # the link was for one use
    async with z.db.sessions() as s:
        sub = await s.scalar(select(t.Submission))
        stored = await s.scalar(select(t.StoredFile.content))
        assert sub is not None and sub.report_file_id is not None and stored == data
