"""An update the platform sends again (a retried webhook, one update at two instances) is handled once, and
the record of handled updates is pruned. Real database and conversation core; no platform at all."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.conversation.engine import Conversation
from core.conversation.events import EventKind, Incoming, Sender
from core.deadlines import utcnow
from core.types import Platform, Role
from core.usecases import inbound
from models import tables as t
from nhacviec.notifier import ServiceNotifier
from scheduler.sender import OutboxSender
from tests.conftest import Database
from tests.factories import invite_code


async def test_the_same_update_twice_registers_once_and_answers_once(loaded: Database) -> None:
    conversation = Conversation(loaded.uows, ServiceNotifier(OutboxSender(loaded.uows, {})))
    code = await invite_code(loaded, "STP", Role.FOCAL)
    sender = Sender(Platform.TELEGRAM, "42", "42", "Lê Văn Sơn")
    event = Incoming(sender, EventKind.COMMAND, command="dangky", args=code, update_key="1001")
    first = await conversation.handle(event)
    again = await conversation.handle(event)
    assert "Chào mừng" in first[0].text
    assert again == []  # handled before: no second answer, nothing written again
    other = await conversation.handle(Incoming(sender, EventKind.COMMAND, command="huongdan", update_key="1002"))
    assert other and "/danop" in other[0].text
    zalo = await conversation.handle(
        Incoming(Sender(Platform.ZALO, "z1", "z1", "Z"), EventKind.TEXT, update_key="1001")
    )
    assert zalo  # ids are per platform
    async with loaded.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.SeenUpdate)) == 3


async def test_old_update_ids_are_forgotten(loaded: Database) -> None:
    now = utcnow()
    async with loaded.uows() as uow:
        assert await inbound.first_time(uow, Platform.TELEGRAM, "old", now - inbound.KEEP - timedelta(hours=1))
        assert await inbound.first_time(uow, Platform.TELEGRAM, "new", now)
        await uow.commit()
    async with loaded.uows() as uow:
        assert not await inbound.first_time(uow, Platform.TELEGRAM, "old", now)
        assert await inbound.forget_old(uow, now) == 1
        await uow.commit()
    async with loaded.uows() as uow:
        assert await inbound.first_time(uow, Platform.TELEGRAM, "old", now)  # forgotten
        assert not await inbound.first_time(uow, Platform.TELEGRAM, "new", now)
