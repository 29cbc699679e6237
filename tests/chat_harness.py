"""Drive the conversation core as people would: events in, reply texts out, on a real database.

The core runs with the real SQL unit of work, the real outbox sender and the real reminder engine; only
the chat platform is a fake (RecordingChannel), standing in for the people's phones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.telegram.links import invite_links
from core.conversation.engine import Conversation
from core.conversation.events import EventKind, FileRef, Incoming, Reply, Sender
from core.conversation.parse import parse_command
from core.deadlines import VN_TZ, utcnow
from core.types import OPERATOR, Account, Platform, Role
from core.usecases import province
from core.usecases.rules import Rules
from nhacviec.notifier import ServiceNotifier
from scheduler.engine import ReminderEngine
from scheduler.sender import OutboxSender
from tests.conftest import Database
from tests.factories import invite_code
from tests.fakes import RecordingChannel


@dataclass
class Person:
    harness: Harness
    sender: Sender
    last: list[Reply] = field(default_factory=list)

    async def say(self, text: str) -> list[Reply]:
        cmd = parse_command(text)
        if cmd:
            event = Incoming(self.sender, EventKind.COMMAND, command=cmd[0], args=cmd[1], text=text)
        else:
            event = Incoming(self.sender, EventKind.TEXT, text=text)
        return await self._send(event)

    async def press(self, label: str, index: int = -1) -> list[Reply]:
        """Press the button with this label on the last reply that offered it."""
        for reply in reversed(self.last if index == -1 else [self.last[index]]):
            for choice in reply.choices:
                if choice.label == label:
                    return await self.press_token(choice.token)
        raise AssertionError(f"no button {label!r} in {[c.label for r in self.last for c in r.choices]}")

    async def press_token(self, token: str) -> list[Reply]:
        return await self._send(Incoming(self.sender, EventKind.CHOICE, token=token))

    async def send_file(self, ref: str, name: str, data: bytes | None = None) -> list[Reply]:
        """A file, with its content as the channel fetched it (None: an app that gives the bot no document)."""
        file = FileRef(ref, name, len(data) if data is not None else None, data)
        return await self._send(Incoming(self.sender, EventKind.FILE, file=file))

    async def event(self, kind: EventKind, **kw: object) -> list[Reply]:
        return await self._send(Incoming(self.sender, kind, **kw))  # type: ignore[arg-type]

    async def _send(self, event: Incoming) -> list[Reply]:
        self.last = await self.harness.conversation.handle(event)
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)


@dataclass
class Harness:
    db: Database
    channel: RecordingChannel
    sender: OutboxSender
    conversation: Conversation

    async def account(self, person: Person) -> Account | None:
        async with self.db.uows() as uow:
            return await uow.accounts.by_sender(person.sender)

    def person(self, user_id: str, name: str, platform: Platform = Platform.TELEGRAM, private: bool = True) -> Person:
        return Person(self, Sender(platform, user_id, user_id, name, private))

    async def registered(self, user_id: str, name: str, agency: str, role: Role) -> Person:
        """A person who has registered with a code for ``agency`` and ``role``, as Sở Nội vụ gives them."""
        p = self.person(user_id, name)
        await p.say(f"/dangky {await invite_code(self.db, agency, role)}")
        assert "Chào mừng" in p.text, p.text
        return p


async def tuyen_quang_harness(db: Database) -> Harness:
    """A harness on ``db`` with Tuyên Quang loaded from 1/7/2025 (13 departments, 124 communes and wards)."""
    async with db.uows() as uow:
        await province.load(uow, OPERATOR, "Tuyên Quang", date(2025, 7, 1))
        await uow.commit()
    return make_harness(db)


def make_harness(db: Database, now: datetime | None = None) -> Harness:
    channel = RecordingChannel(platform=Platform.TELEGRAM)
    sender = OutboxSender(db.uows, {Platform.TELEGRAM: channel, Platform.CONSOLE: channel})
    rules = Rules()
    engine = ReminderEngine(db.uows, rules, sender, AsyncIOScheduler(timezone=VN_TZ))
    conversation = Conversation(
        db.uows,
        ServiceNotifier(sender, engine),
        rules,
        invite_links("nhacviec_test_bot"),
        clock=(lambda: now) if now else utcnow,
    )
    return Harness(db, channel, sender, conversation)
