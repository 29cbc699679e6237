"""Ports the core and the scheduler depend on; Telegram, Zalo and the console implement them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from core.types import Platform


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What a channel sends: plain text (channels escape it for their markup) and optional choices."""

    text: str
    choices: tuple[tuple[str, str], ...] = field(default=())  # (label, callback id)
    priority: int = 5  # the outbox's: 1 escalation … 3 reminders … 6 digest, 7 notices; 0 a reply


class SendError(Exception):
    """Base of the errors a channel raises when a message did not go out."""


class TransientSendError(SendError):
    """Worth retrying later (network, 5xx, rate limit). ``retry_after`` is the platform's wish, in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class RecipientBlockedError(SendError):
    """The person blocked the bot or deleted the chat: never retry."""


class PermanentSendError(SendError):
    """The platform refused the message for good (bad chat id, message too long…)."""


class ChannelUnavailableError(PermanentSendError):
    """This channel cannot carry the message now (e.g. its monthly quota is spent): try the person's other
    channel, else wait until ``until``."""

    def __init__(self, reason: str, until: datetime | None = None) -> None:
        super().__init__(reason)
        self.until = until


class Channel(Protocol):
    """An outgoing chat channel.

    ``send`` delivers one message to one chat and returns the platform's message id (or None when the
    platform has none). It raises TransientSendError, RecipientBlockedError or PermanentSendError;
    any other exception is treated as transient by the outbox sender.
    """

    platform: Platform

    async def send(self, chat_id: str, message: OutgoingMessage) -> str | None: ...
