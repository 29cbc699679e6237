"""Zalo's incoming updates, answered durably (issue 24, finding 9).

An update, polled or posted to the webhook, is first written to the database (``inbound_update``) and the webhook
answers at once; nothing waits for a reply to be paced out. The leader then answers the updates: chats at once,
each chat's in the order they came. The core's replies are written in the unit of work that handled the update,
so a crash between handling and sending loses nothing: the next leader sends what is left (a reply may then go
twice, as an outbox message may after a kill, never none). A reply the platform refuses for a while is tried
again with backoff, the chat's later updates waiting behind it to keep the order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.zalo.channel import ZaloChannel
from bot.zalo.render import to_event
from core.conversation.engine import Conversation
from core.conversation.events import Reply
from core.deadlines import utcnow
from core.i18n import gettext_for
from core.ports import OutgoingMessage, SendError, TransientSendError
from core.repositories import Conflict, InboxRepository, UnitOfWork, UnitOfWorkFactory
from core.types import Platform, Priority, WaitingUpdate
from core.unicode import clean, cleaned

log = logging.getLogger(__name__)
POLL = 0.5  # seconds between looks at the table for updates another instance recorded
MAX_CHATS = 16  # chats answered at once
BATCH = 500  # updates read at a time
MAX_ATTEMPTS = 8  # a reply the platform keeps refusing is given up after this many tries (backoff to 5 minutes)
MAX_FAILURES = 3  # an update whose handling or sending fails otherwise (a poison) is set aside after this many


def encode(reply: Reply) -> dict[str, object]:
    """A reply as kept in the database, as Zalo will send it (a file cannot go: a line says so instead)."""
    text = clean(reply.text)  # a reply echoing a message cut inside an emoji would not encode (finding 4)
    if reply.document is not None:
        text += "\n" + gettext_for(reply.language).gettext(
            "(Zalo cannot carry files: use /xuat on Telegram, or the nhacviec command on the server.)"
        )
    return {
        "text": text,
        "choices": [[clean(c.label), c.token] for c in reply.choices],
        "language": reply.language,
        "stranger": reply.to_stranger,
    }


def decode(kept: dict[str, Any]) -> OutgoingMessage:
    # A stranger's reply waits behind the reserve kept for reminders, as digests do (issue 24, finding 2).
    priority = Priority.LOW if kept.get("stranger") else Priority.REPLY
    choices = tuple((str(label), str(token)) for label, token in kept.get("choices") or [])
    return OutgoingMessage(str(kept["text"]), choices, priority, str(kept.get("language") or "vi"))


class ZaloInbox:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        channel: ZaloChannel,
        conversation: Conversation,
        backoff: float = 2.0,
        poll: float = POLL,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.uows, self.channel, self.conversation = uows, channel, conversation
        self.backoff, self.poll, self.clock = backoff, poll, clock
        self._kick = asyncio.Event()
        self._busy: set[str] = set()  # chats being answered now
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None

    async def receive(self, body: dict[str, Any]) -> None:
        """Keep one update (the webhook answers once this returns). Raises what the database raises: the webhook
        then answers 500 and Zalo sends the update again."""
        body = cleaned(body)  # kept and handled as text every encoder takes
        event = to_event(body)
        if event is None:
            return
        key = event.update_key or f"no-id:{uuid.uuid4().hex}"  # Zalo gives every message an id; just in case
        try:
            async with self.uows() as uow:
                if await uow.inbox.add(Platform.ZALO, key, event.sender.chat_id, body, self.clock()):
                    await uow.commit()
        except Conflict:  # the same update kept by another instance at the same instant
            log.info("Zalo update %s was kept by another instance", key)
        self._kick.set()

    # ------------------------------------------------------------------ answering (the leader)

    def start(self) -> None:
        if self._runner is None:
            self._runner = asyncio.create_task(self._run(), name="zalo-inbox")

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        tasks = [*([runner] if runner else []), *self._tasks]
        for task in tasks:
            task.cancel()
        # gather, not "suppress(CancelledError): await task": that would also swallow the caller's own cancellation
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            try:
                await self.answer_waiting()
            except Exception:  # the database away for a moment: look again at the next turn
                log.exception("Zalo: could not read the updates waiting for an answer")
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation that arrives as the
            # event is set (a chat task's last kick while stop() cancels), and stop() then waits for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll):
                    await self._kick.wait()
            self._kick.clear()

    async def answer_waiting(self) -> int:
        """Start answering every chat with updates waiting (at most ``MAX_CHATS`` at once); how many started."""
        async with self.uows() as uow:
            waiting = await uow.inbox.waiting(Platform.ZALO, self.clock(), BATCH)
        chats: dict[str, list[WaitingUpdate]] = {}
        for u in waiting:
            chats.setdefault(u.chat_id, []).append(u)
        started = 0
        for chat, updates in chats.items():
            if chat in self._busy or len(self._busy) >= MAX_CHATS:
                continue
            self._busy.add(chat)
            task = asyncio.create_task(self._answer_chat(chat, updates), name=f"zalo-chat-{chat}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        return started

    async def idle(self) -> bool:
        """No chat is being answered and nothing waits (for tests and a clean stop)."""
        if self._busy:
            return False
        async with self.uows() as uow:
            return not await uow.inbox.waiting(Platform.ZALO, self.clock() + timedelta(days=1), 1)

    async def _answer_chat(self, chat: str, updates: list[WaitingUpdate]) -> None:
        try:
            for u in updates:
                try:
                    answered = await self._answer(u)
                except Exception as exc:  # every failure counts as an attempt: a poison does not block its chat
                    answered = await self._failed(u, exc)
                if not answered:
                    break  # tried again later; the chat's next updates wait behind it
        except Exception:  # the database away while recording a failure: the next turn looks again
            log.exception("Zalo: error while answering an update")
        finally:
            self._busy.discard(chat)
            self._kick.set()  # what arrived for this chat meanwhile

    async def _answer(self, u: WaitingUpdate) -> bool:
        """Handle the update (unless its replies are kept already) and send what is left; False to try again."""
        replies = u.replies
        if replies is None:
            event = to_event(u.body)
            kept = False

            async def keep(uow: UnitOfWork, given: list[Reply]) -> None:
                nonlocal kept
                await uow.inbox.keep_replies(u.id, [encode(r) for r in given])
                kept = True

            given = await self.conversation.handle(event, keep=keep) if event is not None else []
            replies = tuple(encode(r) for r in given)
            if not kept:  # handled before, or the core failed and says sorry: keep what is to go
                await self._write(lambda inbox: inbox.keep_replies(u.id, list(replies)))
        for i in range(u.sent, len(replies)):
            try:
                await self.channel.send(u.chat_id, decode(replies[i]))
            except TransientSendError as exc:
                if u.attempts + 1 >= MAX_ATTEMPTS:
                    log.warning("Zalo: a reply was given up after %d attempts: %s", MAX_ATTEMPTS, exc)
                    break
                wait = min(self.backoff * 2**u.attempts, 300.0)
                log.warning("Zalo: a reply failed (%s); trying again in %.1f s", exc, wait)
                why, due = str(exc), self.clock() + timedelta(seconds=wait)
                await self._write(lambda inbox: inbox.retry(u.id, why, due))  # noqa: B023 (awaited at once)
                asyncio.get_running_loop().call_later(wait, self._kick.set)
                return False
            except SendError as exc:  # refused for good (blocked, the quota): this reply only
                log.warning("Zalo: a reply could not be sent: %s", exc)
            await self._write(lambda inbox: inbox.sent_one(u.id, i + 1))  # noqa: B023 (awaited at once)
        await self._write(lambda inbox: inbox.done(u.id, self.clock()))
        return True

    async def _failed(self, u: WaitingUpdate, exc: Exception) -> bool:
        """An update whose handling or sending raised: tried again with backoff, or after ``MAX_FAILURES`` set
        aside (kept for an admin: ``nhacviec inbox``) and its sender told once. True when the chat may go on."""
        why = f"{type(exc).__name__}: {exc}"[:300]
        if u.attempts == 0:  # the traceback once, then one line a try
            log.exception("Zalo: update %d could not be answered", u.id)
        if u.attempts + 1 < MAX_FAILURES:
            wait = min(self.backoff * 2**u.attempts, 300.0)
            log.warning("Zalo: update %d failed (%s); trying again in %.1f s", u.id, why, wait)
            await self._write(lambda inbox: inbox.retry(u.id, why, self.clock() + timedelta(seconds=wait)))
            asyncio.get_running_loop().call_later(wait, self._kick.set)
            return False
        log.warning("Zalo: update %d set aside after %d attempts (%s)", u.id, MAX_FAILURES, why)
        await self._write(lambda inbox: inbox.set_aside(u.id, why, self.clock()))
        said = gettext_for("vi").gettext(
            "Your last message could not be processed. Please send it again in other words, or contact Sở Nội vụ "
            "if it still does not work."
        )
        try:
            await self.channel.send(u.chat_id, OutgoingMessage(said, (), Priority.REPLY, "vi"))
        except Exception as told:  # best effort: the update is kept for an admin either way
            log.warning("Zalo: could not tell chat of update %d it was set aside: %s", u.id, told)
        return True

    async def _write(self, change: Callable[[InboxRepository], Awaitable[None]]) -> None:
        """One change to the kept update, committed at once."""
        async with self.uows() as uow:
            await change(uow.inbox)
            await uow.commit()
