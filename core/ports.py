"""Ports the core and the scheduler depend on; Telegram, Zalo and the console implement them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from core.types import Platform, Priority


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What a channel sends: plain text (channels escape it for their markup) and optional choices."""

    text: str
    choices: tuple[tuple[str, str], ...] = field(default=())  # (label, callback id)
    priority: Priority = Priority.NORMAL  # the outbox's order; REPLY for a direct answer
    language: str = "vi"  # the reader's, for anything the channel adds (hints, notes)


class SendError(Exception):
    """Base of the errors a channel raises when a message did not go out."""


class TransientSendError(SendError):
    """Worth retrying later (network, 5xx, rate limit). ``retry_after`` is the platform's wish, in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class FloodControlError(TransientSendError):
    """The platform's flood control (HTTP 429): the whole channel waits ``retry_after`` seconds, then the
    message goes as it was, keeping its turn; it is not the message's fault and counts no attempt."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason, retry_after)
        self.retry_after: float = retry_after


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


@runtime_checkable
class EditingChannel(Channel, Protocol):
    """A channel that can replace the text and choices of a message it sent (Telegram). The outbox sends an
    update as a new message on channels without this."""

    async def edit(self, chat_id: str, message_id: str, message: OutgoingMessage) -> None:
        """Raises what ``send`` raises; PermanentSendError when the message can no longer be edited."""


class SendQuota(Protocol):
    """A platform's message allowance, asked before a send and told after it (wired by the entry point)."""

    async def reserve(self, parts: int, priority: Priority) -> None:
        """Take ``parts`` messages of ``priority`` from the allowance before they are sent (counted at once, so
        sends in flight together never overshoot it). Raise ChannelUnavailableError if they may not go now."""

    async def release(self, n: int) -> None:
        """Give back ``n`` reserved messages that were not sent after all."""

    def resets_at(self) -> datetime:
        """When the allowance starts afresh."""


class Telemetry(Protocol):
    """What the sender and the reminder engine tell the service's metrics (``nhacviec.metrics``)."""

    def send_outcome(self, platform: Platform, outcome: str) -> None:
        """One send attempt ended: ``sent``, ``retried``, ``flood``, ``blocked`` or ``failed``."""

    def drained(self) -> None:
        """A drain of the outbox finished without error."""

    def point_fired(self, deliveries: int) -> None:
        """A reminder point was fired here, queueing ``deliveries`` messages."""


class NoTelemetry:
    """Telemetry that records nothing (the CLI, the tests that do not look)."""

    def send_outcome(self, platform: Platform, outcome: str) -> None:
        pass

    def drained(self) -> None:
        pass

    def point_fired(self, deliveries: int) -> None:
        pass


class FileTooLarge(Exception):
    """The file is larger than the limit asked for."""


class FileSource(Protocol):
    """Where a chat platform keeps the files people send (Telegram's Bot API ``getFile``)."""

    async def fetch(self, ref: str, limit: int) -> bytes:
        """The file's bytes.

        Raises:
            FileTooLarge: it is over ``limit`` bytes (known before downloading, or found while downloading).
            Exception: anything else when the platform does not give it now.
        """
        ...
