"""The python-telegram-bot Application: polling by default (on the leader), webhook when configured (the
service's HTTP server posts each update to ``feed``). Every update, polled or posted, is kept in the database
first and answered by the leader through the one inbox every platform uses (``bot.inbox``): the webhook answers
Telegram as soon as the update is kept, each chat is answered in order, and a reply Telegram refuses for a while is
tried again from the database, after a restart too (issue 28: one road for replies)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.inbox import Inbox, document_of, message_of
from bot.pacing import Pacer
from bot.telegram.channel import DEFAULT_RATE, TelegramChannel
from bot.telegram.files import TelegramFiles, file_base_url
from bot.telegram.menu import set_menus
from bot.telegram.render import to_event
from bot.telegram.updates import PerChatUpdateProcessor
from core.conversation.engine import Conversation
from core.conversation.events import Incoming
from core.types import Platform

log = logging.getLogger(__name__)


WEBHOOK_PATH = "/telegram"


@dataclass(frozen=True)
class WebhookConfig:
    """Webhook mode: Telegram posts updates to ``url`` (the service's HTTP server answers at WEBHOOK_PATH)."""

    url: str
    secret: str


class TelegramBot:
    def __init__(
        self,
        token: str,
        conversation: Conversation,
        admin_chats: Callable[[], Awaitable[list[str]]],
        base_url: str | None = None,
        webhook: WebhookConfig | None = None,
        poll_timeout: int = 30,
        pacer: Pacer | None = None,
        backoff: float = 2.0,
    ) -> None:
        # No AIORateLimiter: the one pacer below is shared with the outbox's channel (see bot/pacing.py).
        self.pacer = pacer or Pacer(DEFAULT_RATE)
        builder = ApplicationBuilder().token(token).concurrent_updates(PerChatUpdateProcessor())
        if base_url:
            builder = builder.base_url(base_url).base_file_url(file_base_url(base_url))
        self.app: Application = builder.build()  # type: ignore[type-arg]
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)
        self.conversation = conversation
        self.admin_chats = admin_chats
        self.webhook = webhook
        self.poll_timeout = poll_timeout
        self.channel = TelegramChannel(self.app.bot, self.pacer)  # the replies' sends: errors mapped as the outbox's
        self.inbox = Inbox(
            Platform.TELEGRAM,
            conversation.uows,
            conversation,
            self._parse,
            self._send,
            backoff,
            files=TelegramFiles(self.app.bot),
        )
        self._acks: set[asyncio.Task[None]] = set()

    @property
    def bot(self):  # type: ignore[no-untyped-def]
        return self.app.bot

    @property
    def ready(self) -> bool:
        """Started and able to send (and, in webhook mode, to take updates)."""
        return bool(self.app.running)

    async def start(self) -> None:
        """Connect, set the menus and, in webhook mode, tell Telegram where to post. Polling is the leader's
        (``start_polling``): Telegram allows one poller per token."""
        await self.app.initialize()
        await self.app.start()
        try:
            await set_menus(self.app.bot, await self.admin_chats())
        except TelegramError:
            log.warning("could not set the command menus; continuing without them")
        if self.webhook:
            await self.app.bot.set_webhook(self.webhook.url, secret_token=self.webhook.secret)
            log.info("Telegram: webhook mode, updates posted to %s", WEBHOOK_PATH)

    async def start_polling(self) -> None:
        """The leader's part: answer the kept updates and, without a webhook, poll (one poller per token)."""
        self.inbox.start()
        assert self.app.updater is not None
        if self.webhook is None and not self.app.updater.running:
            await self.app.updater.start_polling(timeout=self.poll_timeout, poll_interval=0.0)
            log.info("Telegram: polling for updates")

    async def stop_polling(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        await self.inbox.stop()

    async def feed(self, data: dict[str, Any]) -> None:
        """One update posted to the webhook: kept in the database, then the webhook answers (a database failure
        raises: the webhook answers 500 and Telegram sends it again). The leader answers it."""
        await self.inbox.receive(data)
        self._acknowledge(data)

    async def stop(self) -> None:
        await self.stop_polling()
        for task in list(self._acks):
            task.cancel()
        await asyncio.gather(*self._acks, return_exceptions=True)
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A polled update: kept, then answered by the inbox like a posted one."""
        data = update.to_dict()
        await self.inbox.receive(data)
        self._acknowledge(data)

    def _acknowledge(self, data: dict[str, Any]) -> None:
        """A pressed button's spinner stops at once (best effort); the answer follows from the inbox."""
        query = data.get("callback_query")
        if not isinstance(query, dict) or not query.get("id"):
            return

        async def answer() -> None:
            with contextlib.suppress(TelegramError):  # an old button: the reply still explains
                await self.app.bot.answer_callback_query(str(query["id"]))

        task = asyncio.create_task(answer())
        self._acks.add(task)
        task.add_done_callback(self._acks.discard)

    def _parse(self, body: dict[str, Any]) -> Incoming | None:
        try:
            update = Update.de_json(body, self.app.bot)
        except (TypeError, KeyError, ValueError, AttributeError) as exc:  # not an update: sending it again won't help
            log.warning("Telegram: a body that is not an update was ignored (%s)", type(exc).__name__)
            return None
        return to_event(update) if update is not None else None

    async def _send(self, chat_id: str, kept: dict[str, Any]) -> None:
        """A kept reply: its text and buttons, then its file if any (paced, 429 waited out, errors as the
        outbox's)."""
        await self.channel.send(chat_id, message_of(kept))
        document = document_of(kept)
        if document is not None:
            await self.channel.send_document(chat_id, document)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling a Telegram update", exc_info=context.error)
