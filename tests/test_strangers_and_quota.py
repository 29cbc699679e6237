"""Issue 28, finding 6: strangers together cannot spend the platform's month, and the quota is never overshot with
sends in flight. Real database (SQLite, and PostgreSQL when configured), the real use-cases."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from core.deadlines import VN_TZ
from core.ports import ChannelUnavailableError
from core.types import Platform, Priority
from core.usecases import inbound
from core.usecases.quota import QuotaGate
from tests.conftest import Database

NOW = datetime(2026, 6, 12, 9, 0, tzinfo=VN_TZ)


def _sender(n: int) -> object:
    from core.conversation.events import Sender

    return Sender(Platform.ZALO, f"la-{n}", f"la-{n}", f"Người lạ {n}")


async def _answered(db: Database, senders: range, each: int, at: datetime) -> int:
    given = 0
    for n in senders:
        for _ in range(each):
            async with db.uows() as uow:
                if await inbound.may_answer_stranger(uow, _sender(n), at):  # type: ignore[arg-type]
                    given += 1
                await uow.commit()
    return given


async def test_strangers_together_get_an_hours_and_a_months_share(loaded: Database) -> None:
    """30 strangers × 10 messages got 253 replies in 51 s; now one hour gives all strangers together at most
    ``STRANGERS_AN_HOUR``, and a month at most ``STRANGERS_A_MONTH``."""
    first = await _answered(loaded, range(30), 10, NOW)
    assert first == inbound.STRANGERS_AN_HOUR  # each would get 10: together they get 60
    later = NOW
    given = first
    for hour in range(1, 12):  # the same crowd, hour after hour
        later = NOW + timedelta(hours=hour)
        given += await _answered(loaded, range(30), 3, later)
    assert given == inbound.STRANGERS_A_MONTH  # 300: a tenth of Zalo's free month, then none until July
    assert await _answered(loaded, range(100, 110), 1, later + timedelta(hours=1)) == 0
    assert await _answered(loaded, range(100, 110), 1, datetime(2026, 7, 1, 8, 0, tzinfo=VN_TZ)) == 10


@pytest.mark.parametrize("priority", [Priority.REPLY, Priority.LOW])
async def test_sends_in_flight_together_never_overshoot_the_quota(loaded: Database, priority: Priority) -> None:
    """Usage reached 707/700 and 960/950 when each send checked the count, then sent, then counted. Eight sends in
    flight reserve before they go; the count stops exactly at the limit (the reserve's for low priority)."""
    gate = QuotaGate(loaded.uows, Platform.ZALO, 100, reserve_percent=95, clock=lambda: NOW)
    taken = 0

    async def sender() -> None:
        nonlocal taken
        while True:
            try:
                await gate.reserve(1, priority)
            except ChannelUnavailableError:
                return
            await asyncio.sleep(0)  # the send itself: others reserve meanwhile
            taken += 1

    await asyncio.gather(*(sender() for _ in range(8)))
    limit = 95 if priority is Priority.LOW else 100
    assert taken == limit and await gate.used() == limit
    await gate.release(3)  # three reserved, not sent after all
    assert await gate.used() == limit - 3
