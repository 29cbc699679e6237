"""The outbox's Telegram channel: one message to one chat, platform errors mapped to the outbox's."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut

from bot.pacing import Pacer
from bot.telegram.render import edit_text, flood_seconds, send_text
from core.conversation.events import Document
from core.ports import (
    OutgoingMessage,
    PermanentSendError,
    RecipientBlockedError,
    TransientSendError,
)
from core.types import Platform

DEFAULT_RATE = 29.0  # messages a second: Telegram allows about 30 per bot
T = TypeVar("T")


class TelegramChannel:
    """Sends and edits through the bot's pacer and its one flood policy (``Pacer.call``): a 429 pauses the whole
    bot and the refused part goes first after the pause; only a pause longer than the pacer's ``hold`` reaches
    the outbox, as FloodControlError (the message goes back to the queue without counting an attempt)."""

    platform = Platform.TELEGRAM

    def __init__(self, bot: Bot, pacer: Pacer | None = None) -> None:
        self.bot = bot
        self.pacer = pacer or Pacer(DEFAULT_RATE)

    async def send(self, chat_id: str, message: OutgoingMessage) -> str | None:
        sent = await self._call(send_text(self.bot, chat_id, message.text, message.choices, self.pacer))
        return str(sent.message_id)

    async def send_document(self, chat_id: str, document: Document) -> None:
        """A file (an Excel export), through the same pacer and flood policy."""
        await self._call(
            self.pacer.call(
                chat_id,
                lambda: self.bot.send_document(chat_id, InputFile(document.data, filename=document.filename)),
                flood_seconds,
            )
        )

    async def edit(self, chat_id: str, message_id: str, message: OutgoingMessage) -> None:
        """Replace the message's text and buttons (none if the message has no choices)."""
        await self._call(edit_text(self.bot, chat_id, message_id, message.text, message.choices, self.pacer))

    async def _call(self, call: Coroutine[Any, Any, T]) -> T:
        try:
            return await call
        except Forbidden as exc:
            raise RecipientBlockedError(str(exc)) from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower() or "user is deactivated" in str(exc).lower():
                raise RecipientBlockedError(str(exc)) from exc
            raise PermanentSendError(str(exc)) from exc
        except (TimedOut, NetworkError) as exc:
            raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc
        except TelegramError as exc:
            raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc
