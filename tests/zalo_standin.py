"""A local HTTP stand-in of the Zalo Bot API for end-to-end tests (a fake at the process edge).

Shapes as the public client code documents them: getUpdates returns ONE update per call and answers an
idle poll with HTTP 408; sendMessage takes 1–2,000 characters; replies are {"ok", "result"} or
{"ok": false, "error_code", "description"}.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from tests.http_standin import LONG_POLL, HttpStandIn


class ZaloApiStandIn(HttpStandIn):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.delivered: list[dict[str, Any]] = []  # sendMessage calls that succeeded
        self.idle_polls = 0
        self.webhook: dict[str, Any] | None = None
        self._queue: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.held: dict[str, threading.Event] = {}  # chats whose sendMessage waits (``hold``)

    @property
    def base_url(self) -> str:
        return self.origin

    @staticmethod
    def update(
        uid: str,
        name: str,
        text: str,
        message_id: str,
        event: str = "message.text.received",
        chat_type: str = "PRIVATE",
    ) -> dict[str, Any]:
        return {
            "event_name": event,
            "message": {
                "from": {"id": uid, "display_name": name, "is_bot": False},
                "chat": {"id": uid, "chat_type": chat_type},
                "text": text,
                "message_id": message_id,
                "date": int(time.time() * 1000),
            },
        }

    def hold(self, chat_id: str) -> None:
        """sendMessage to ``chat_id`` waits (in the stand-in's thread) until ``release``."""
        self.held[chat_id] = threading.Event()

    def release(self, chat_id: str) -> None:
        self.held.pop(chat_id).set()

    def stop(self) -> None:
        for chat in list(self.held):
            self.release(chat)
        super().stop()

    def push_text(self, uid: str, name: str, text: str, message_id: str | None = None) -> str:
        mid = message_id or f"zm{next(self._ids)}"
        with self._cond:
            self._queue.append(self.update(uid, name, text, mid))
            self._cond.notify_all()
        return mid

    def sent(self, chat_id: str | None = None) -> list[str]:
        """Texts delivered (to ``chat_id``)."""
        return [str(p["text"]) for p in list(self.delivered) if chat_id is None or p.get("chat_id") == chat_id]

    async def reply_to(self, chat_id: str, contains: str, timeout: float = 15) -> str:
        return await self.wait_for(  # type: ignore[no-any-return]
            lambda: next((t for t in self.sent(chat_id) if contains in t), None), timeout
        )

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getMe":
            me = {"id": "9000", "account_name": "bot.nhacviec", "display_name": "Nhắc việc"}
            return 200, {"ok": True, "result": me}
        if method == "getUpdates":
            if self.webhook is not None:
                return 400, {"ok": False, "error_code": 400, "description": "webhook is set"}
            with self._cond:
                if not self._queue:
                    self._cond.wait(timeout=min(float(params.get("timeout") or 0), LONG_POLL))
                if not self._queue:
                    self.idle_polls += 1
                    return 408, {"ok": False, "error_code": 408, "description": "Request timeout"}
                return 200, {"ok": True, "result": self._queue.pop(0)}
        if method == "sendMessage":
            held = self.held.get(str(params.get("chat_id")))
            if held is not None:  # a slow phone network to this chat: the call waits until released
                held.wait(timeout=60)
            text = str(params.get("text", ""))
            if not 1 <= len(text) <= 2000:
                return 400, {"ok": False, "error_code": 400, "description": "text must be 1-2000 characters"}
            self.delivered.append(params)
            return 200, {"ok": True, "result": {"message_id": f"out{next(self._ids)}", "date": int(time.time() * 1000)}}
        if method == "setWebhook":
            self.webhook = params
            return 200, {"ok": True, "result": {"url": params.get("url")}}
        if method == "deleteWebhook":
            self.webhook = None
        return 200, {"ok": True, "result": True}
