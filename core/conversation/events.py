"""What a channel hands the core, and what it gets back. No platform types here."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from core.types import Account, Sender

__all__ = ["Account", "Choice", "Document", "EventKind", "FileRef", "Incoming", "Reply", "Sender"]


class EventKind(enum.StrEnum):
    COMMAND = "command"  # "/danop 2023-04"
    TEXT = "text"  # free text (or a number picking from a list)
    CHOICE = "choice"  # a button pressed: the token the server issued
    FILE = "file"  # a document or photo
    UNSUPPORTED = "unsupported"  # sticker, voice, location…
    EDITED = "edited"  # an edited earlier message


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file the person sent; ``ref`` is the platform's id for it. ``data`` is its content when it was fetched
    before the event was handled (``Conversation.fetch_file``); ``problem`` says why not when it could not be:
    "too_large" or "unavailable"."""

    ref: str
    name: str | None = None
    size: int | None = None
    data: bytes | None = field(default=None, repr=False)
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    sender: Sender
    kind: EventKind
    command: str | None = None
    args: str = ""
    text: str = ""
    token: str | None = None
    file: FileRef | None = None
    # The platform's id of the update: one the platform sends again (a webhook retried, two instances) is
    # handled once. None where there is none (the console).
    update_key: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    token: str


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    data: bytes
    mime: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Reply:
    """Plain text (channels escape it), optional choices, optional file."""

    text: str
    choices: tuple[Choice, ...] = field(default=())
    document: Document | None = None
    language: str = "vi"  # the reader's: channels render their own hints in it
    # To someone not registered: a channel with a monthly quota spends on it only what the reserve for reminders
    # leaves (issue 24, finding 2).
    to_stranger: bool = False
