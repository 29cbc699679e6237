"""The outbox sender under concurrency: exclusive claims, order per chat, flood control.

Real database (SQLite, and PostgreSQL when configured). The chat platform is the only fake: the
RecordingChannel (tests/fakes.py), or the local Telegram Bot API stand-in behind the real
python-telegram-bot Bot and our Telegram channel.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy import func, select
from telegram import Bot

from bot.pacing import Pacer
from bot.telegram.channel import TelegramChannel
from core.deadlines import VN_TZ
from core.ports import FloodControlError, OutgoingMessage
from core.types import DeliveryKind, DeliveryStatus, NewDelivery, Platform, Priority, Role
from models import tables as t
from scheduler.sender import OutboxSender
from tests.conftest import Database
from tests.factories import add_people
from tests.fakes import RecordingChannel
from tests.telegram_standin import BotApiStandIn, FloodRules

NOW = datetime(2023, 4, 14, 8, 0, tzinfo=VN_TZ)
TOKEN = "6123456789:AAHk7xQvZ-secret-part-of-the-token_0123"


async def queue(db: Database, items: list[tuple[int, str]], priority: Priority = Priority.NORMAL) -> None:
    """Outbox rows (account id, text), due now."""
    async with db.uows() as uow:
        await uow.outbox.enqueue(
            [NewDelivery(f"t:{i}", a, DeliveryKind.NUDGE, text, priority) for i, (a, text) in enumerate(items)], NOW
        )
        await uow.commit()


async def statuses(db: Database) -> Counter[str]:
    async with db.sessions() as s:
        found = await s.execute(select(t.Delivery.status, func.count()).group_by(t.Delivery.status))
        return Counter({status: int(n) for status, n in found.all()})


async def test_four_drainers_at_once_send_each_row_exactly_once(loaded: Database) -> None:
    accounts = await add_people(loaded, "STP", Role.FOCAL, [(f"Cán bộ {i}", f"c-{i}") for i in range(500)])
    await queue(loaded, [(a, f"tin {a}") for a in accounts])
    channel = RecordingChannel(delay=0.001)  # each send takes a moment, so the four really overlap
    senders = [OutboxSender(loaded.uows, {Platform.CONSOLE: channel}, batch=20) for _ in range(4)]
    results = await asyncio.gather(*(s.drain_once() for s in senders))
    assert sum(r.sent for r in results) == 500
    assert all(r.sent > 0 for r in results), [r.sent for r in results]  # they did share the work
    assert len(channel.sent) == 500 and max(Counter(channel.sent).values()) == 1
    assert await statuses(loaded) == {DeliveryStatus.SENT.value: 500}


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[BotApiStandIn, Bot]]:
    api = BotApiStandIn(TOKEN, FloodRules(retry_after=1))
    api.start()
    bot = Bot(TOKEN, base_url=api.base_url)
    await bot.initialize()
    try:
        yield api, bot
    finally:
        await bot.shutdown()
        api.stop()


async def test_one_chat_keeps_its_order_while_200_others_are_served(loaded: Database) -> None:
    # Order is the subject here, not the bot's rate: the stand-in allows 300 a second, the pacer 290.
    api = BotApiStandIn(TOKEN, FloodRules(per_bot=300))
    api.start()
    bot = Bot(TOKEN, base_url=api.base_url)
    await bot.initialize()
    try:
        await _one_chat_in_order(loaded, api, bot)
    finally:
        await bot.shutdown()
        api.stop()


async def _one_chat_in_order(loaded: Database, api: BotApiStandIn, bot: Bot) -> None:
    people = [(f"Cán bộ {i}", str(1000 + i)) for i in range(201)]
    accounts = await add_people(loaded, "STP", Role.FOCAL, people, platform="telegram")
    long_text = "\n".join(f"Đoạn {i}: " + "nội dung báo cáo tháng " * 10 for i in range(50))  # three parts
    mine, others = accounts[0], accounts[1:]
    await queue(
        loaded, [(mine, long_text), *((a, f"tin {a}") for a in others), (mine, "tin thứ hai"), (mine, "tin ba")]
    )
    sender = OutboxSender(loaded.uows, {Platform.TELEGRAM: TelegramChannel(bot, Pacer(290))})
    stats = await sender.drain_once()
    assert stats.sent == 203 and api.rejected == 0  # the pacer kept within the platform's limits
    to_me = [text for chat, text, _ in api.delivered if chat == 1000]
    assert len(to_me) == 5 and "\n".join(to_me[:3]) == long_text and to_me[3:] == ["tin thứ hai", "tin ba"]
    assert sorted(chat for chat, _, _ in api.delivered if chat != 1000) == list(range(1001, 1201))


async def test_flood_control_pauses_the_channel_and_the_message_keeps_its_attempts(
    loaded: Database, telegram: tuple[BotApiStandIn, Bot]
) -> None:
    api, bot = telegram
    accounts = await add_people(
        loaded, "STP", Role.FOCAL, [(f"Cán bộ {i}", str(2000 + i)) for i in range(10)], platform="telegram"
    )
    await queue(loaded, [(a, f"tin {a}") for a in accounts])
    too_many = {"ok": False, "error_code": 429, "description": "Too Many Requests", "parameters": {"retry_after": 1}}
    api.failures["sendMessage"] = [(429, too_many)]  # the very first send
    pacer = Pacer(10)  # 100 ms between sends
    # One send in flight: the next send cannot leave before the 429 has come back, however slow the machine (with
    # eight in flight, a busy CI machine once delivered the refused send and the next one 0.3 ms apart).
    sender = OutboxSender(loaded.uows, {Platform.TELEGRAM: TelegramChannel(bot, pacer)}, concurrency=1)
    stats = await sender.drain_once()
    assert (stats.sent, stats.retried, stats.failed, pacer.pauses) == (10, 0, 0, 1)

    sends = [(when, p) for (method, p), when in zip(api.calls, api.times, strict=True) if method == "sendMessage"]
    refused_at, refused = sends[0]
    after = [when - refused_at for when, _ in sends[1:]]
    assert min(after) >= 1.0 - 0.05, after[:5]  # nothing went to Telegram during the pause (1 s, Telegram's least)…
    assert sends[1][1]["chat_id"] == refused["chat_id"]  # …and the refused message went first after it
    async with loaded.sessions() as s:
        rows = (await s.scalars(select(t.Delivery))).all()
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}  # the 429 counted no attempt


async def test_an_edit_follows_the_same_flood_policy_as_a_send(telegram: tuple[BotApiStandIn, Bot]) -> None:
    """The one flood policy (``Pacer.call``) for edits too: a short pause is waited out and the edit goes first
    after it; a pause longer than the pacer holds goes back to the outbox as FloodControlError."""
    api, bot = telegram
    too_many = {"ok": False, "error_code": 429, "description": "Too Many Requests", "parameters": {"retry_after": 1}}
    api.failures["editMessageText"] = [(429, too_many)]
    channel = TelegramChannel(bot, Pacer(10))
    await channel.edit("3001", "17", OutgoingMessage("Báo cáo tháng 4/2023: đã nộp"))
    edits = [when for (method, _), when in zip(api.calls, api.times, strict=True) if method == "editMessageText"]
    assert len(edits) == 2 and edits[1] - edits[0] >= 1.0 - 0.05 and channel.pacer.pauses == 1
    assert api.edits(3001)[-1]["text"] == "Báo cáo tháng 4/2023: đã nộp"

    api.failures["editMessageText"] = [(429, too_many)]
    impatient = TelegramChannel(bot, Pacer(10, hold=0.5))  # holds half a second: a 1 s pause is the outbox's
    with pytest.raises(FloodControlError) as refused:
        await impatient.edit("3001", "17", OutgoingMessage("lần nữa"))
    assert refused.value.retry_after == 1 and impatient.pacer.pauses == 1
