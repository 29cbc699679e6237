"""The Zalo bot: one long-polling loop per token (or a webhook), feeding the conversation core."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import tornado.httpserver
import tornado.web

from bot.zalo.channel import ZaloChannel
from bot.zalo.client import ZaloClient, ZaloError
from bot.zalo.render import to_event
from core.conversation.engine import Conversation
from core.i18n import gettext_for
from core.ports import OutgoingMessage, SendError
from core.types import Priority

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class ZaloWebhookConfig:
    url: str
    secret: str
    listen: str = "127.0.0.1"
    port: int = 8444
    path: str = "/zalo"


class ZaloBot:
    def __init__(
        self,
        client: ZaloClient,
        channel: ZaloChannel,
        conversation: Conversation,
        webhook: ZaloWebhookConfig | None = None,
        poll_timeout: int = 30,
        remember: int = 2000,
    ) -> None:
        self.client = client
        self.channel = channel
        self.conversation = conversation
        self.webhook = webhook
        self.poll_timeout = poll_timeout
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remember = remember
        self._task: asyncio.Task[None] | None = None
        self._server: tornado.httpserver.HTTPServer | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        if self.webhook:
            if not 8 <= len(self.webhook.secret) <= 256:
                raise ValueError("ZALO_WEBHOOK_SECRET must be 8 to 256 characters")
            app = tornado.web.Application([(self.webhook.path, _Hook, {"bot": self, "secret": self.webhook.secret})])
            self._server = tornado.httpserver.HTTPServer(app)
            self._server.listen(self.webhook.port, self.webhook.listen)
            await self.client.set_webhook(self.webhook.url, self.webhook.secret)
            log.info("Zalo: webhook mode on %s:%d%s", self.webhook.listen, self.webhook.port, self.webhook.path)
        else:
            with contextlib.suppress(ZaloError):  # getUpdates does not work while a webhook is set
                await self.client.delete_webhook()
            self._task = asyncio.create_task(self._poll(), name="zalo-poller")
            log.info("Zalo: polling for updates")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._server is not None:
            self._server.stop()
        await self.client.close()

    async def _poll(self) -> None:
        backoff = 1.0
        while not self._stopping.is_set():
            try:
                update = await self.client.get_update(self.poll_timeout)
                backoff = 1.0
                if update is not None:
                    await self.handle(update)
            except ZaloError as exc:
                log.warning("Zalo poll failed (%s); retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60.0)
            except Exception:  # one bad update must not stop the poller
                log.exception("error while handling a Zalo update")
                await asyncio.sleep(backoff)

    def _first_time(self, message_id: str) -> bool:
        if not message_id:
            return True
        if message_id in self._seen:
            return False
        self._seen[message_id] = None
        while len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return True

    async def handle(self, body: dict[str, Any]) -> None:
        """One update: de-duplicate by message id, let the core answer, send the replies."""
        parsed = to_event(body)
        if parsed is None:
            return
        event, message_id = parsed
        if not self._first_time(message_id):
            log.info("Zalo: message %s already handled; ignored", message_id)
            return
        for reply in await self.conversation.handle(event):
            text = reply.text
            if reply.document is not None:
                text += "\n" + gettext_for(reply.language).gettext(
                    "(Zalo cannot carry files: use /xuat on Telegram, or the nhacviec command on the server.)"
                )
            choices = tuple((c.label, c.token) for c in reply.choices)
            try:
                await self.channel.send(
                    event.sender.chat_id, OutgoingMessage(text, choices, Priority.REPLY, reply.language)
                )
            except SendError as exc:
                log.warning("Zalo: reply to a message could not be sent: %s", exc)


class _Hook(tornado.web.RequestHandler):
    def initialize(self, bot: ZaloBot, secret: str) -> None:
        self.bot = bot
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.set_status(403)
            self.finish({"ok": False, "description": "forbidden"})
            return
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            self.set_status(400)
            self.finish({"ok": False, "description": "bad JSON"})
            return
        if isinstance(body, dict):
            await self.bot.handle(body)
        self.finish({"ok": True})
