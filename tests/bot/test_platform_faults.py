"""Proof under platform faults: the Bot API stand-in (the only fake) fails 10 % of the sends — a 5xx, a
timeout or a connection dropped without an answer, none of them delivered — and one person has blocked the
bot. Through the real Telegram channel (python-telegram-bot over HTTP) and the real outbox, every message
that can be delivered arrives exactly once, and the blocked chat is marked and named in the digest."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.telegram.channel import TelegramChannel
from core import messages
from core.deadlines import utcnow
from core.types import Platform
from core.usecases import overview
from models import tables as t
from scheduler.sender import OutboxSender, RetryPolicy
from tests.conftest import Database
from tests.factories import queue_messages
from tests.fakes import unpaced
from tests.telegram_standin import BotApiStandIn, FloodRules

pytestmark = pytest.mark.proof(seconds=4)  # real HTTP timeouts against the stand-in

TOKEN = "7000000005:AAH-faults-test-token-0123456789abcdef"
N, BLOCKED = 300, 7


async def test_ten_percent_faults_every_message_once_and_the_blocked_chat_reported(loaded: Database) -> None:
    api = BotApiStandIn(TOKEN, FloodRules(per_bot=100_000, chat_burst=100, faults=0.10, hang=1.5))
    api.blocked.add(BLOCKED)
    api.start()
    await queue_messages(loaded, range(1, N + 1))
    bot = Bot(TOKEN, base_url=api.base_url, request=HTTPXRequest(connection_pool_size=16, read_timeout=1.0))
    await bot.initialize()
    retry = RetryPolicy(base=timedelta(milliseconds=50), cap=timedelta(milliseconds=200), max_attempts=8)
    sender = OutboxSender(loaded.uows, {Platform.TELEGRAM: TelegramChannel(bot, unpaced())}, retry=retry)
    try:
        async with asyncio.timeout(120):
            while await _waiting(loaded):
                await sender.drain_once()
                await asyncio.sleep(0.1)  # the retries come due
    finally:
        await bot.shutdown()
        api.stop()
    assert sum(api.faulted.values()) >= 20 and all(api.faulted.values()), api.faulted  # every kind happened
    per_chat = Counter(chat for chat, _, _ in api.delivered)
    assert set(per_chat) == set(range(1, N + 1)) - {BLOCKED}
    assert max(per_chat.values()) == 1  # none twice

    async with loaded.sessions() as s:
        found = await s.execute(select(t.Delivery.status, func.count()).group_by(t.Delivery.status))
        statuses = {str(status): int(n) for status, n in found.tuples().all()}
        account = await s.scalar(select(t.ChatAccount).where(t.ChatAccount.chat_id == str(BLOCKED)))
    assert statuses == {"sent": N - 1, "blocked": 1}, statuses
    assert account is not None and account.blocked_at is not None
    async with loaded.uows() as uow:
        said = await overview.digest_deliveries(uow, utcnow() + timedelta(days=1))
    assert said.blocked == 1 and said.sent == N - 1
    text = messages.digest("vi", "Phạm Quản Trị", utcnow(), [], said)
    assert f"Cán bộ {BLOCKED}" in text, text


async def _waiting(db: Database) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).where(t.Delivery.status.in_(["pending", "sending"]))) or 0)
