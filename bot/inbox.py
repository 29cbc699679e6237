"""Incoming updates, answered durably, the same way for every platform (issue 24, finding 9; issue 28: one road).

An update, polled or posted to a webhook, is first written to the database (``inbound_update``) and the webhook
answers at once; nothing waits for a reply to be paced out. The leader then answers the updates: chats at once,
each chat's in the order they came. The core's replies are written in the unit of work that handled the update,
so a crash between handling and sending loses nothing: the next leader sends what is left (a reply may then go
twice, as an outbox message may after a kill, never none). A reply the platform refuses for a while is tried
again on the outbox's retry policy (``core.usecases.outbox.RetryPolicy``), the chat's later updates waiting
behind it to keep the order; an update that fails otherwise (a poison) is set aside after ``MAX_FAILURES`` tries
and its chat goes on.

What differs between platforms is two functions: ``parse`` (the platform's update → the core's event) and ``send``
(a kept reply → the platform).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from core.conversation.engine import Conversation
from core.conversation.events import Document, Incoming, Reply
from core.deadlines import utcnow
from core.i18n import gettext_for
from core.ports import FileSource, OutgoingMessage, SendError, TransientSendError
from core.repositories import Conflict, InboxRepository, UnitOfWork, UnitOfWorkFactory
from core.types import Platform, Priority, WaitingUpdate
from core.unicode import clean, cleaned
from core.usecases.outbox import RetryPolicy

log = logging.getLogger(__name__)
POLL = 0.5  # seconds between looks at the table for updates another instance recorded
MAX_CHATS = 16  # chats answered at once
BATCH = 500  # updates read at a time
MAX_FAILURES = 3  # an update whose handling or sending fails otherwise (a poison) is set aside after this many
# Replies the platform refuses for a while: the outbox's policy, from 2 s doubling to 5 minutes, 8 tries.
REPLY_RETRY = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(minutes=5), max_attempts=8)

Parse = Callable[[dict[str, Any]], Incoming | None]
Send = Callable[[str, dict[str, Any]], Awaitable[None]]


def encode(reply: Reply) -> dict[str, object]:
    """A reply as kept in the database: text and button labels cleaned (a reply echoing a message cut inside an
    emoji would not encode: issue 28, finding 4), a document in base64."""
    kept: dict[str, object] = {
        "text": clean(reply.text),
        "choices": [[clean(c.label), c.token] for c in reply.choices],
        "language": reply.language,
        "stranger": reply.to_stranger,
    }
    if reply.document is not None:
        kept["document"] = {
            "filename": reply.document.filename,
            "mime": reply.document.mime,
            "data": base64.b64encode(reply.document.data).decode("ascii"),
        }
    return kept


def message_of(kept: dict[str, Any]) -> OutgoingMessage:
    """A kept reply as the outbox's channels send it (a stranger's waits behind the reminders' reserve)."""
    priority = Priority.LOW if kept.get("stranger") else Priority.REPLY
    choices = tuple((str(label), str(token)) for label, token in kept.get("choices") or [])
    return OutgoingMessage(str(kept["text"]), choices, priority, str(kept.get("language") or "vi"))


def document_of(kept: dict[str, Any]) -> Document | None:
    found = kept.get("document")
    if not isinstance(found, dict):
        return None
    mime = str(found.get("mime") or "application/octet-stream")
    return Document(str(found["filename"]), base64.b64decode(str(found["data"])), mime)


class Inbox:
    def __init__(
        self,
        platform: Platform,
        uows: UnitOfWorkFactory,
        conversation: Conversation,
        parse: Parse,
        send: Send,
        backoff: float = 2.0,
        poll: float = POLL,
        clock: Callable[[], datetime] = utcnow,
        files: FileSource | None = None,
    ) -> None:
        self.platform, self.uows, self.conversation = platform, uows, conversation
        self.files = files  # where the platform keeps the files people send, if it lets bots fetch them
        self.parse, self.send = parse, send
        self.retry = RetryPolicy(timedelta(seconds=backoff), REPLY_RETRY.cap, REPLY_RETRY.max_attempts)
        self.poll, self.clock = poll, clock
        self._kick = asyncio.Event()
        self._busy: set[str] = set()  # chats being answered now
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Look at the table now (an update was just kept here)."""
        self._kick.set()

    async def receive(self, body: dict[str, Any]) -> None:
        """Keep one update (the webhook answers once this returns). Raises what the database raises: the webhook
        then answers 500 and the platform sends the update again."""
        body = cleaned(body)  # kept and handled as text every encoder takes
        event = self.parse(body)
        if event is None:
            return
        key = event.update_key or f"no-id:{uuid.uuid4().hex}"  # platforms give every update an id; just in case
        try:
            async with self.uows() as uow:
                if await uow.inbox.add(self.platform, key, event.sender.chat_id, body, self.clock()):
                    await uow.commit()
        except Conflict:  # the same update kept by another instance at the same instant
            log.info("%s update %s was kept by another instance", self.platform.value, key)
        self._kick.set()

    # ------------------------------------------------------------------ answering (the leader)

    def start(self) -> None:
        if self._runner is None:
            self._runner = asyncio.create_task(self._run(), name=f"{self.platform.value}-inbox")

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
                log.exception("%s: could not read the updates waiting for an answer", self.platform.value)
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation that arrives as the
            # event is set (a chat task's last kick while stop() cancels), and stop() then waits for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll):
                    await self._kick.wait()
            self._kick.clear()

    async def answer_waiting(self) -> int:
        """Start answering every chat with updates waiting (at most ``MAX_CHATS`` at once); how many started."""
        async with self.uows() as uow:
            waiting = await uow.inbox.waiting(self.platform, self.clock(), BATCH)
        chats: dict[str, list[WaitingUpdate]] = {}
        for u in waiting:
            chats.setdefault(u.chat_id, []).append(u)
        started = 0
        for chat, updates in chats.items():
            if chat in self._busy or len(self._busy) >= MAX_CHATS:
                continue
            self._busy.add(chat)
            task = asyncio.create_task(self._answer_chat(chat, updates), name=f"{self.platform.value}-chat-{chat}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        return started

    async def idle(self) -> bool:
        """No chat is being answered and nothing waits (for tests and a clean stop)."""
        if self._busy:
            return False
        async with self.uows() as uow:
            return not await uow.inbox.waiting(self.platform, self.clock() + timedelta(days=1), 1)

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
            log.exception("%s: error while answering an update", self.platform.value)
        finally:
            self._busy.discard(chat)
            self._kick.set()  # what arrived for this chat meanwhile

    async def _answer(self, u: WaitingUpdate) -> bool:
        """Handle the update (unless its replies are kept already) and send what is left; False to try again."""
        replies = u.replies
        if replies is None:
            event = self.parse(u.body)
            kept = False

            async def keep(uow: UnitOfWork, given: list[Reply]) -> None:
                nonlocal kept
                await uow.inbox.keep_replies(u.id, [encode(r) for r in given])
                kept = True

            if event is not None and self.files is not None:
                event = await self.conversation.fetch_file(event, self.files)
            given = await self.conversation.handle(event, keep=keep) if event is not None else []
            replies = tuple(encode(r) for r in given)
            if not kept:  # handled before, or the core failed and says sorry: keep what is to go
                await self._write(lambda inbox: inbox.keep_replies(u.id, list(replies)))
        for i in range(u.sent, len(replies)):
            try:
                await self.send(u.chat_id, replies[i])
            except TransientSendError as exc:
                if u.attempts + 1 >= self.retry.max_attempts:
                    log.warning("%s: a reply was given up after %d attempts: %s", self.platform.value, u.attempts, exc)
                    break
                wait = self.retry.delay(u.attempts + 1, None).total_seconds()
                log.warning("%s: a reply failed (%s); trying again in %.1f s", self.platform.value, exc, wait)
                why, due = str(exc), self.clock() + timedelta(seconds=wait)
                await self._write(lambda inbox: inbox.retry(u.id, why, due))  # noqa: B023 (awaited at once)
                asyncio.get_running_loop().call_later(wait, self._kick.set)
                return False
            except SendError as exc:  # refused for good (blocked, the quota): this reply only
                log.warning("%s: a reply could not be sent: %s", self.platform.value, exc)
            await self._write(lambda inbox: inbox.sent_one(u.id, i + 1))  # noqa: B023 (awaited at once)
        await self._write(lambda inbox: inbox.done(u.id, self.clock()))
        return True

    async def _failed(self, u: WaitingUpdate, exc: Exception) -> bool:
        """An update whose handling or sending raised: tried again with backoff, or after ``MAX_FAILURES`` set
        aside (kept for an admin: ``nhacviec inbox`` and the dashboard's people page) and its sender told once.
        True when the chat may go on."""
        why = f"{type(exc).__name__}: {exc}"[:300]
        if u.attempts == 0:  # the traceback once, then one line a try
            log.exception("%s: update %d could not be answered", self.platform.value, u.id)
        if u.attempts + 1 < MAX_FAILURES:
            wait = self.retry.delay(u.attempts + 1, None).total_seconds()
            log.warning("%s: update %d failed (%s); trying again in %.1f s", self.platform.value, u.id, why, wait)
            await self._write(lambda inbox: inbox.retry(u.id, why, self.clock() + timedelta(seconds=wait)))
            asyncio.get_running_loop().call_later(wait, self._kick.set)
            return False
        log.warning("%s: update %d set aside after %d attempts (%s)", self.platform.value, u.id, MAX_FAILURES, why)
        await self._write(lambda inbox: inbox.set_aside(u.id, why, self.clock()))
        said = gettext_for("vi").gettext(
            "Your last message could not be processed. Please send it again in other words, or contact Sở Nội vụ "
            "if it still does not work."
        )
        try:
            await self.send(u.chat_id, {"text": said, "choices": [], "language": "vi"})
        except Exception as told:  # best effort: the update is kept for an admin either way
            log.warning("%s: could not tell chat of update %d it was set aside: %s", self.platform.value, u.id, told)
        return True

    async def _write(self, change: Callable[[InboxRepository], Awaitable[None]]) -> None:
        """One change to the kept update, committed at once."""
        async with self.uows() as uow:
            await change(uow.inbox)
            await uow.commit()
