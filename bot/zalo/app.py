"""The Zalo bot: one long-polling loop per token (or a webhook) keeping updates in the database, and the
leader answering them (``bot.zalo.inbox``): chats at once, each chat in order, replies kept until sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from bot.zalo.channel import ZaloChannel
from bot.zalo.client import ZaloClient, ZaloError
from bot.zalo.inbox import ZaloInbox
from core.conversation.engine import Conversation
from core.repositories import UnitOfWorkFactory

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/zalo"
KEEP_TRIES = 6  # writes of a polled update before it is given up (about a minute with the doubling waits)


@dataclass(frozen=True)
class ZaloWebhookConfig:
    """Webhook mode: Zalo posts updates to ``url`` (the service's HTTP server answers at WEBHOOK_PATH)."""

    url: str
    secret: str


class ZaloBot:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
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
        self.inbox = ZaloInbox(uows, channel, conversation, backoff=backoff)
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
        """The leader's part: answer the kept updates and, in polling mode, poll (one poller per token)."""
        self.inbox.start()
        if self.webhook is None and self._task is None:
            self._task = asyncio.create_task(self._poll(), name="zalo-poller")
            log.info("Zalo: polling for updates")

    async def stop_polling(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.inbox.stop()

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
                    await self._keep(update)
            except ZaloError as exc:
                log.warning("Zalo poll failed (%s); retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60.0)
            except Exception:  # one bad update must not stop the poller
                log.exception("error while handling a Zalo update")
                await asyncio.sleep(backoff)

    async def _keep(self, update: dict[str, Any]) -> None:
        """A polled update is Zalo's no more: try to write it down a few times (the database away for a moment),
        then give it up with one ERROR line, so that one update the database refuses does not stop the poller for
        every chat (issue 28, finding 4)."""
        wait = self.backoff
        for attempt in range(1, KEEP_TRIES + 1):
            try:
                await self.handle(update)
                return
            except Exception as exc:
                if attempt == KEEP_TRIES:
                    log.error("Zalo: a polled update was given up after %d tries (%s)", KEEP_TRIES, type(exc).__name__)
                    return
                log.warning("Zalo: a polled update could not be kept (%s); trying again in %.1f s", exc, wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, 60.0)

    async def handle(self, body: dict[str, Any]) -> None:
        """One update, polled or posted: kept in the database; the leader answers it (the webhook answers Zalo as
        soon as this returns)."""
        await self.inbox.receive(body)
