"""The Zalo bot: one long-polling loop per token (or a webhook), feeding the conversation core."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from bot.zalo.channel import ZaloChannel
from bot.zalo.client import ZaloClient, ZaloError
from bot.zalo.render import to_event
from core.conversation.engine import Conversation
from core.i18n import gettext_for
from core.ports import OutgoingMessage, SendError, TransientSendError
from core.types import Priority

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/zalo"
REPLY_ATTEMPTS = 3


@dataclass(frozen=True)
class ZaloWebhookConfig:
    """Webhook mode: Zalo posts updates to ``url`` (the service's HTTP server answers at WEBHOOK_PATH)."""

    url: str
    secret: str


class ZaloBot:
    def __init__(
        self,
        client: ZaloClient,
        channel: ZaloChannel,
        conversation: Conversation,
        webhook: ZaloWebhookConfig | None = None,
        poll_timeout: int = 30,
        backoff: float = 1.0,
    ) -> None:
        self.client = client
        self.backoff = backoff  # seconds before a failed poll or reply is tried again (doubling)
        self.channel = channel
        self.conversation = conversation
        self.webhook = webhook
        self.poll_timeout = poll_timeout
        self._task: asyncio.Task[None] | None = None
        self.ready = False

    async def start(self) -> None:
        """Webhook mode: tell Zalo where to post. Polling mode: make sure no webhook is set (getUpdates does
        not work beside one); the leader then polls (``start_polling``)."""
        if self.webhook:
            if not 8 <= len(self.webhook.secret) <= 256:
                raise ValueError("ZALO_WEBHOOK_SECRET must be 8 to 256 characters")
            await self.client.set_webhook(self.webhook.url, self.webhook.secret)
            log.info("Zalo: webhook mode, updates posted to %s", WEBHOOK_PATH)
        else:
            with contextlib.suppress(ZaloError):
                await self.client.delete_webhook()
        self.ready = True

    def start_polling(self) -> None:
        """Poll for updates (polling mode, on the leader only: one poller per token)."""
        if self.webhook is None and self._task is None:
            self._task = asyncio.create_task(self._poll(), name="zalo-poller")
            log.info("Zalo: polling for updates")

    async def stop_polling(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def stop(self) -> None:
        await self.stop_polling()
        self.ready = False
        await self.client.close()

    async def _poll(self) -> None:
        backoff = self.backoff
        while True:
            try:
                update = await self.client.get_update(self.poll_timeout)
                backoff = self.backoff
                if update is not None:
                    await self.handle(update)
            except ZaloError as exc:
                log.warning("Zalo poll failed (%s); retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60.0)
            except Exception:  # one bad update must not stop the poller
                log.exception("error while handling a Zalo update")
                await asyncio.sleep(backoff)

    async def handle(self, body: dict[str, Any]) -> None:
        """One update (polled or posted): let the core answer (it handles a message id once), send the replies."""
        event = to_event(body)
        if event is None:
            return
        for reply in await self.conversation.handle(event):
            text = reply.text
            if reply.document is not None:
                text += "\n" + gettext_for(reply.language).gettext(
                    "(Zalo cannot carry files: use /xuat on Telegram, or the nhacviec command on the server.)"
                )
            choices = tuple((c.label, c.token) for c in reply.choices)
            # A stranger's reply waits behind the reserve kept for reminders, as digests do.
            priority = Priority.LOW if reply.to_stranger else Priority.REPLY
            await self._reply(event.sender.chat_id, OutgoingMessage(text, choices, priority, reply.language))

    async def _reply(self, chat_id: str, message: OutgoingMessage) -> None:
        """A direct reply, tried again (only here: the client does not retry) while the failure is passing."""
        for attempt in range(REPLY_ATTEMPTS):
            try:
                await self.channel.send(chat_id, message)
                return
            except TransientSendError as exc:
                if attempt + 1 == REPLY_ATTEMPTS:
                    log.warning("Zalo: a reply could not be sent after %d attempts: %s", REPLY_ATTEMPTS, exc)
                    return
                wait = self.backoff * 2**attempt
                log.warning("Zalo: a reply failed (%s); trying again in %.1f s", exc, wait)
                await asyncio.sleep(wait)
            except SendError as exc:
                log.warning("Zalo: a reply could not be sent: %s", exc)
                return
