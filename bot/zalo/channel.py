"""The outbox's Zalo channel; the monthly quota is a port the entry point wires (core.ports.SendQuota)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from bot.pacing import Pacer, never_flood
from bot.zalo.client import ZaloClient, ZaloError
from bot.zalo.render import render
from core.ports import (
    ChannelUnavailableError,
    OutgoingMessage,
    PermanentSendError,
    RecipientBlockedError,
    SendQuota,
    TransientSendError,
)
from core.types import Platform

DEFAULT_RATE = 5.0  # messages a second: Zalo publishes no per-bot figure, so a conservative one


class ZaloChannel:
    platform = Platform.ZALO

    def __init__(self, client: ZaloClient, quota: SendQuota, pacer: Pacer | None = None) -> None:
        self.client = client
        self.quota = quota
        self.pacer = pacer or Pacer(DEFAULT_RATE)

    async def send(self, chat_id: str, message: OutgoingMessage) -> str | None:
        chunks = render(message.text, message.choices, message.language)
        # Reserve, send, settle: the parts are counted before they go, and those that did not go are given back.
        await self.quota.reserve(len(chunks), message.priority)
        first: str | None = None
        sent = 0
        try:
            for chunk in chunks:
                message_id = await self.pacer.call(
                    chat_id, partial(self.client.send_message, chat_id, chunk), never_flood
                )
                sent += 1
                first = first or message_id
        except ZaloError as exc:
            raise _mapped(exc, self.quota.resets_at()) from None
        finally:
            if sent < len(chunks):
                await self.quota.release(len(chunks) - sent)
        return first


def _mapped(exc: ZaloError, until: datetime | None = None) -> Exception:
    if exc.code == 429:
        return ChannelUnavailableError("Zalo quota exceeded (429)", until)
    if exc.code == 403:
        return RecipientBlockedError(str(exc))
    if exc.code in (400, 404):
        return PermanentSendError(str(exc))
    return TransientSendError(str(exc))
