"""Zalo both ways: webhook/poll updates → core events; replies → text with numbered choices, ≤ 2,000 chars."""

from __future__ import annotations

from typing import Any

from core.conversation.events import EventKind, FileRef, Incoming, Sender
from core.conversation.parse import parse_command
from core.i18n import gettext_for
from core.textsplit import split_text
from core.types import Platform

LIMIT = 2000


def unwrap(body: dict[str, Any]) -> dict[str, Any]:
    """Accept both {"ok": true, "result": {...}} and the bare {"event_name", "message"}."""
    inner = body.get("result")
    return inner if isinstance(inner, dict) and "message" in inner else body


def to_event(body: dict[str, Any]) -> Incoming | None:
    """The core's event (its ``update_key`` the message id); None for bots' own and malformed updates."""
    update = unwrap(body)
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    sender_raw, chat = message.get("from") or {}, message.get("chat") or {}
    if not isinstance(sender_raw, dict) or not isinstance(chat, dict) or sender_raw.get("is_bot"):
        return None
    user_id, chat_id = str(sender_raw.get("id", "")), str(chat.get("id", ""))
    if not user_id or not chat_id:
        return None
    private = str(chat.get("chat_type", "PRIVATE")).upper() == "PRIVATE"
    sender = Sender(Platform.ZALO, user_id, chat_id, str(sender_raw.get("display_name") or ""), private)
    message_id = str(message.get("message_id", "")) or None
    name = str(update.get("event_name", ""))
    text = message.get("text")
    if name == "message.text.received" and isinstance(text, str):
        command = parse_command(text)
        if command:
            return Incoming(
                sender, EventKind.COMMAND, command=command[0], args=command[1], text=text, update_key=message_id
            )
        return Incoming(sender, EventKind.TEXT, text=text, update_key=message_id)
    if name == "message.image.received" and message.get("photo_url"):
        return Incoming(sender, EventKind.FILE, file=FileRef(str(message["photo_url"])), update_key=message_id)
    return Incoming(sender, EventKind.UNSUPPORTED, update_key=message_id)


def render(text: str, choices: tuple[tuple[str, str], ...], lang: str = "vi") -> list[str]:
    """Zalo has no buttons: choices become a numbered list answered by number."""
    if choices:
        lines = [f"{i}. {label}" for i, (label, _) in enumerate(choices, 1)]
        hint = gettext_for(lang).gettext("Reply with the number of your choice.")
        text = "\n".join([text, *lines, hint])
    return split_text(text, LIMIT)
