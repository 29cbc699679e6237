"""A local HTTP stand-in of the Telegram Bot API, for end-to-end tests (a fake at the process edge).

It serves ``/bot<TOKEN>/<method>`` on 127.0.0.1 with the Bot API's JSON shapes, queues the updates a
test pushes for getUpdates, records every call, and can be told to fail the next calls of a method.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

from tests.http_standin import HttpStandIn

BOT_USER = {"id": 777000, "is_bot": True, "first_name": "Nhắc việc", "username": "nhacviec_test_bot"}


class BotApiStandIn(HttpStandIn):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self._updates: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/bot"

    # ------------------------------------------------------------------ what a test pushes

    @staticmethod
    def user(uid: int, name: str) -> dict[str, Any]:
        first, _, last = name.rpartition(" ")
        return {"id": uid, "is_bot": False, "first_name": first or last, "last_name": last if first else None}

    def _chat(self, uid: int, chat_type: str) -> dict[str, Any]:
        return {"id": uid if chat_type == "private" else -100 - uid, "type": chat_type}

    def push(self, update: dict[str, Any]) -> None:
        with self._cond:
            self._updates.append({"update_id": next(self._ids), **update})
            self._cond.notify_all()

    def push_text(self, uid: int, name: str, text: str, chat_type: str = "private") -> None:
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(uid, chat_type),
            "from": self.user(uid, name),
            "text": text,
        }
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        self.push({"message": msg})

    def push_callback(self, uid: int, name: str, data: str) -> None:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(uid, "private"),
            "from": BOT_USER,
            "text": "…",
        }
        self.push(
            {
                "callback_query": {
                    "id": f"cq{next(self._ids)}",
                    "from": self.user(uid, name),
                    "chat_instance": "ci",
                    "data": data,
                    "message": message,
                }
            }
        )

    def push_sticker(self, uid: int, name: str) -> None:
        self.push(
            {
                "message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": self._chat(uid, "private"),
                    "from": self.user(uid, name),
                    "sticker": {
                        "file_id": "st1",
                        "file_unique_id": "stu1",
                        "type": "regular",
                        "width": 512,
                        "height": 512,
                        "is_animated": False,
                        "is_video": False,
                    },
                }
            }
        )

    def push_edited(self, uid: int, name: str, text: str) -> None:
        self.push(
            {
                "edited_message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "edit_date": int(time.time()),
                    "chat": self._chat(uid, "private"),
                    "from": self.user(uid, name),
                    "text": text,
                }
            }
        )

    # ------------------------------------------------------------------ what a test reads

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return [
            p for m, p in list(self.calls) if m == "sendMessage" and (chat_id is None or int(p["chat_id"]) == chat_id)
        ]

    async def reply_to(self, chat_id: int, contains: str, timeout: float = 15) -> dict[str, Any]:
        """The first message sent to ``chat_id`` containing ``contains`` (waits for it)."""
        return await self.wait_for(  # type: ignore[no-any-return]
            lambda: next((p for p in self.sent(chat_id) if contains in p.get("text", "")), None), timeout
        )

    @staticmethod
    def button(message: dict[str, Any], label: str) -> str:
        markup = message.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for b in row:
                if b["text"] == label:
                    return str(b["callback_data"])
        raise AssertionError(f"no button {label!r} in {markup}")

    # ------------------------------------------------------------------ the server

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        ok: Callable[[Any], tuple[int, dict[str, Any]]] = lambda result: (200, {"ok": True, "result": result})  # noqa: E731
        if method == "getMe":
            return ok(
                {
                    **BOT_USER,
                    "can_join_groups": False,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                }
            )
        if method == "getUpdates":
            return ok(self._get_updates(int(params.get("offset") or 0), float(params.get("timeout") or 0)))
        if method in ("sendMessage", "sendDocument"):
            chat_id = int(params["chat_id"])
            msg: dict[str, Any] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            }
            if method == "sendMessage":
                msg["text"] = params.get("text", "")
            else:
                msg["document"] = {"file_id": "doc", "file_unique_id": "docu", "file_name": params.get("filename")}
            return ok(msg)
        return ok(True)

    def _get_updates(self, offset: int, timeout: float) -> list[dict[str, Any]]:
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates:
                self._cond.wait(timeout=min(timeout, 0.5))
            return list(self._updates)

    def parse(self, content_type: str, body: bytes) -> dict[str, Any]:
        return _params(content_type, body)


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _params(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return dict(json.loads(body))
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        out: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                out["filename"], out["file_size"] = part.get_filename(), len(payload)
            elif name:
                out[str(name)] = _value(payload.decode() if isinstance(payload, bytes) else str(payload))
        return out
    return {k: _value(v[0]) for k, v in parse_qs(body.decode()).items()}
