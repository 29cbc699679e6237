"""The python-telegram-bot Application: polling by default (on the leader), webhook when configured (the
service's HTTP server posts each update to ``feed``)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.pacing import Pacer
from bot.telegram.channel import DEFAULT_RATE
from bot.telegram.menu import set_menus
from bot.telegram.render import send_reply, to_event
from bot.telegram.updates import PerChatUpdateProcessor
from core.conversation.engine import Conversation

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
    ) -> None:
        # No AIORateLimiter: the one pacer below is shared with the outbox's channel (see bot/pacing.py).
        self.pacer = pacer or Pacer(DEFAULT_RATE)
        builder = ApplicationBuilder().token(token).concurrent_updates(PerChatUpdateProcessor())
        if base_url:
            builder = builder.base_url(base_url).base_file_url(base_url.replace("/bot", "/file/bot"))
        self.app: Application = builder.build()  # type: ignore[type-arg]
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)
        self.conversation = conversation
        self.admin_chats = admin_chats
        self.webhook = webhook
        self.poll_timeout = poll_timeout

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
        assert self.app.updater is not None
        if self.webhook is None and not self.app.updater.running:
            await self.app.updater.start_polling(timeout=self.poll_timeout, poll_interval=0.0)
            log.info("Telegram: polling for updates")

    async def stop_polling(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()

    async def feed(self, data: dict[str, Any]) -> None:
        """One update posted to the webhook: handled before the answer, so Telegram sends it again if we fail
        (the core handles an update id once). Per-chat order as for polled updates."""
        try:
            update = Update.de_json(data, self.app.bot)
        except (TypeError, KeyError, ValueError, AttributeError) as exc:  # not an update: sending it again won't help
            log.warning("Telegram webhook: a body that is not an update was ignored (%s)", type(exc).__name__)
            return
        await self.app.update_processor.process_update(update, self.app.process_update(update))

    async def stop(self) -> None:
        await self.stop_polling()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every update: translate, let the core answer, send the replies."""
        event = to_event(update)
        if event is None:
            return
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):  # an old button: the reply below still explains
                await update.callback_query.answer()
        replies = await self.conversation.handle(event)
        for reply in replies:
            await send_reply(self.app.bot, event.sender.chat_id, reply, self.pacer)  # paced, 429 waited out

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling a Telegram update", exc_info=context.error)
