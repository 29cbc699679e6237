"""The outbox's Zalo channel, with the monthly quota counted in the database."""

from __future__ import annotations

from bot.zalo.client import ZaloClient, ZaloError
from bot.zalo.render import render
from core.ports import (
    ChannelUnavailableError,
    OutgoingMessage,
    PermanentSendError,
    RecipientBlockedError,
    TransientSendError,
)
from core.types import Platform
from models.usage import UsageMeter, next_month_start

LOW_PRIORITY = 6  # digests and notices: held back near the quota


class ZaloChannel:
    platform = Platform.ZALO

    def __init__(self, client: ZaloClient, meter: UsageMeter, reserve_percent: int = 95) -> None:
        self.client = client
        self.meter = meter
        self.reserve_percent = reserve_percent

    async def send(self, chat_id: str, message: OutgoingMessage) -> str | None:
        chunks = render(message.text, message.choices)
        used, quota = await self.meter.used(), self.meter.quota
        until = next_month_start(self.meter.clock())
        if used + len(chunks) > quota:
            raise ChannelUnavailableError(f"Zalo monthly quota spent ({used}/{quota})", until)
        if message.priority >= LOW_PRIORITY and used * 100 >= quota * self.reserve_percent:
            raise ChannelUnavailableError(f"Zalo quota kept for reminders ({used}/{quota})", until)
        first: str | None = None
        for chunk in chunks:
            try:
                message_id = await self.client.send_message(chat_id, chunk)
            except ZaloError as exc:
                raise _mapped(exc, until) from None
            await self.meter.record(1)
            first = first or message_id
        return first


def _mapped(exc: ZaloError, until: object) -> Exception:
    if exc.code == 429:
        return ChannelUnavailableError("Zalo quota exceeded (429)", until)  # type: ignore[arg-type]
    if exc.code == 403:
        return RecipientBlockedError(str(exc))
    if exc.code in (400, 404):
        return PermanentSendError(str(exc))
    return TransientSendError(str(exc))
