"""Telegram both ways: updates → core events, core replies → Bot API calls (HTML, escaped, split)."""

from __future__ import annotations

import html
import warnings
from dataclasses import replace
from datetime import timedelta
from functools import partial

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.pacing import Pacer
from core.conversation.events import EventKind, FileRef, Incoming, Sender
from core.conversation.parse import parse_command
from core.textsplit import split_text
from core.types import Platform

LIMIT = 4096
BUTTONS_PER_ROW = 3


def to_event(update: Update) -> Incoming | None:
    """The core's view of an update (its ``update_key`` the update id); None for updates that are not for the
    core (channel posts…)."""
    event = _event(update)
    return None if event is None else replace(event, update_key=str(update.update_id))


def _event(update: Update) -> Incoming | None:
    if update.callback_query is not None:
        q = update.callback_query
        if q.message is None or q.from_user is None:
            return None
        private = q.message.chat.type == ChatType.PRIVATE
        sender = Sender(Platform.TELEGRAM, str(q.from_user.id), str(q.message.chat.id), q.from_user.full_name, private)
        return Incoming(sender, EventKind.CHOICE, token=q.data if isinstance(q.data, str) else "")
    edited = update.edited_message is not None
    msg = update.message or update.edited_message
    if msg is None or msg.from_user is None:
        return None
    private = msg.chat.type == ChatType.PRIVATE
    sender = Sender(Platform.TELEGRAM, str(msg.from_user.id), str(msg.chat.id), msg.from_user.full_name, private)
    if edited:
        return Incoming(sender, EventKind.EDITED, text=msg.text or "")
    return _message_event(sender, msg)


def _message_event(sender: Sender, msg: Message) -> Incoming:
    if msg.text is not None:
        command = parse_command(msg.text)
        if command:
            return Incoming(sender, EventKind.COMMAND, command=command[0], args=command[1], text=msg.text)
        return Incoming(sender, EventKind.TEXT, text=msg.text)
    if msg.document is not None:
        d = msg.document
        return Incoming(sender, EventKind.FILE, file=FileRef(d.file_id, d.file_name, d.file_size))
    if msg.photo:
        best = msg.photo[-1]
        return Incoming(sender, EventKind.FILE, file=FileRef(best.file_id, None, best.file_size))
    return Incoming(sender, EventKind.UNSUPPORTED)


def keyboard(choices: tuple[tuple[str, str], ...]) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    buttons = [InlineKeyboardButton(label[:64], callback_data=token) for label, token in choices]
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows)


async def send_text(bot: Bot, chat_id: str, text: str, choices: tuple[tuple[str, str], ...], pacer: Pacer) -> Message:
    """Send plain text as escaped HTML in chunks of at most 4,096 characters; buttons on the last chunk. Each
    chunk goes through the bot's pacer and flood policy (``Pacer.call``): after a 429 the refused chunk goes
    first, and the chunks before it are not sent again."""
    chunks = split_text(text, LIMIT, measure=lambda s: len(html.escape(s, quote=False)))
    last: Message | None = None
    for i, chunk in enumerate(chunks):
        markup = keyboard(choices) if i == len(chunks) - 1 else None
        send = partial(
            bot.send_message, chat_id, html.escape(chunk, quote=False), parse_mode=ParseMode.HTML, reply_markup=markup
        )
        last = await pacer.call(chat_id, send, flood_seconds)
    assert last is not None
    return last


async def edit_text(
    bot: Bot, chat_id: str, message_id: str, text: str, choices: tuple[tuple[str, str], ...], pacer: Pacer
) -> None:
    """Replace a sent message's text (escaped HTML, cut to one message) and its buttons (none without choices),
    under the same pacer and flood policy as a send."""
    chunk = split_text(text, LIMIT, measure=lambda s: len(html.escape(s, quote=False)))[0]
    await pacer.call(
        chat_id,
        lambda: bot.edit_message_text(
            html.escape(chunk, quote=False),
            chat_id=chat_id,
            message_id=int(message_id),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(choices),
        ),
        flood_seconds,
    )


def flood_seconds(exc: BaseException) -> float | None:
    """Telegram's flood control: a RetryAfter (HTTP 429) and the seconds it asks for."""
    return retry_seconds(exc) if isinstance(exc, RetryAfter) else None


def retry_seconds(exc: RetryAfter) -> float:
    """retry_after is an int in PTB 22 and a timedelta later (PTB warns on access while it changes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
