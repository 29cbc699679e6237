"""Zalo's incoming updates, answered durably through the one inbox every platform uses (``bot.inbox``): Zalo's
parse is ``bot.zalo.render.to_event``; its send goes through the Zalo channel (quota, pacing), and a file, which
Zalo's Bot API cannot carry, becomes a line saying where to get it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.inbox import POLL, Inbox, document_of, message_of
from bot.zalo.channel import ZaloChannel
from bot.zalo.render import to_event
from core.conversation.engine import Conversation
from core.deadlines import utcnow
from core.i18n import gettext_for
from core.repositories import UnitOfWorkFactory
from core.types import Platform


def zalo_send(channel: ZaloChannel) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    async def send(chat_id: str, kept: dict[str, Any]) -> None:
        message = message_of(kept)
        if document_of(kept) is not None:
            line = gettext_for(message.language).gettext(
                "(Zalo cannot carry files: use /xuat on Telegram, or the nhacviec command on the server.)"
            )
            message = replace(message, text=f"{message.text}\n{line}")
        await channel.send(chat_id, message)

    return send


class ZaloInbox(Inbox):
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        channel: ZaloChannel,
        conversation: Conversation,
        backoff: float = 2.0,
        poll: float = POLL,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(Platform.ZALO, uows, conversation, to_event, zalo_send(channel), backoff, poll, clock)
