"""A local HTTP stand-in of the Telegram Bot API, for end-to-end tests (a fake at the process edge).

It serves ``/bot<TOKEN>/<method>`` on 127.0.0.1 with the Bot API's JSON shapes, queues the updates a
test pushes for getUpdates, records every call, and can be told to fail the next calls of a method.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

from tests.http_standin import DROP, LONG_POLL, HttpStandIn

BOT_USER = {"id": 777000, "is_bot": True, "first_name": "Nhắc việc", "username": "nhacviec_test_bot"}


@dataclass
class FloodRules:
    """Telegram's flood limits, enforced strictly: past them HTTP 429 with ``retry_after``.

    A sliding one-second window of ``per_bot`` accepted sends per bot; per chat a burst of ``chat_burst``
    refilled at ``chat_per_second``. ``latency`` seconds are added to every send (a round trip to
    Telegram's servers); ``random_429`` of the sends are refused anyway with a retry_after drawn from
    ``random_retry_after``.
    """

    per_bot: int = 30
    chat_burst: int = 3
    chat_per_second: float = 1.0
    retry_after: int = 3
    latency: float = 0.0
    random_429: float = 0.0
    random_retry_after: tuple[int, int] = (1, 5)
    seed: int = 46
    # Faults: this share of the sends fails, not delivered, as a 5xx, a timeout (an answer held ``hang``
    # seconds, longer than the client waits) or a connection dropped without an answer, in turn.
    faults: float = 0.0
    hang: float = 2.0


class BotApiStandIn(HttpStandIn):
    def __init__(self, token: str, flood: FloodRules | None = None) -> None:
        super().__init__(token)
        self._updates: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self.flood = flood
        self.rejected = 0  # sends answered 429
        self.delivered: list[tuple[int, str, float]] = []  # accepted sendMessage: (chat, text, when)
        self.accepted: list[tuple[int, int, str]] = []  # accepted sendMessage: (chat, message id, text)
        self._accepted: deque[float] = deque()  # times of accepted sends in the last second
        self._chat_tokens: dict[int, tuple[float, float]] = {}  # chat → (tokens, at)
        self._random = random.Random(flood.seed if flood else 0)
        self.blocked: set[int] = set()  # chats whose person blocked the bot: 403
        self.down: set[int] = set()  # chats Telegram cannot deliver to for now: 502, nothing delivered
        self.faulted: dict[str, int] = {"5xx": 0, "timeout": 0, "dropped": 0}
        self._file_paths: dict[str, str] = {}  # file_id → path under /file/bot<TOKEN>/

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

    def keep_file(self, filename: str, data: bytes) -> tuple[str, int]:
        """A file Telegram's servers hold, for getFile and the file URL: its file_id and a number."""
        n = next(self._ids)
        file_id, path = f"BQAD{n}", f"documents/file_{n}{filename[filename.rfind('.') :] if '.' in filename else ''}"
        self.files[path] = data
        self._file_paths[file_id] = path
        return file_id, n

    def push_document(self, uid: int, name: str, filename: str, data: bytes, mime: str = "") -> str:
        """A person sends a file; the stand-in keeps it for getFile and the file URL. Returns its file_id."""
        file_id, n = self.keep_file(filename, data)
        document: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": f"u{n}",
            "file_name": filename,
            "file_size": len(data),
        }
        if mime:
            document["mime_type"] = mime
        self.push(
            {
                "message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": self._chat(uid, "private"),
                    "from": self.user(uid, name),
                    "document": document,
                }
            }
        )
        return file_id

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
            p
            for m, p in list(self.calls)
            if m == "sendMessage" and "chat_id" in p and (chat_id is None or int(p["chat_id"]) == chat_id)
        ]

    def edits(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """editMessageText calls, in order (``message_id``, ``text``, ``reply_markup`` as sent)."""
        return [
            p
            for m, p in list(self.calls)
            if m == "editMessageText" and (chat_id is None or int(p["chat_id"]) == chat_id)
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

    def _flood_check(self, chat_id: int) -> int | None:
        """None when the send is allowed now (and counted), else the retry_after to answer with."""
        rules = self.flood
        assert rules is not None
        with self._cond:
            now = time.monotonic()
            while self._accepted and self._accepted[0] <= now - 1.0:
                self._accepted.popleft()
            tokens, at = self._chat_tokens.get(chat_id, (float(rules.chat_burst), now))
            tokens = min(float(rules.chat_burst), tokens + (now - at) * rules.chat_per_second)
            if rules.random_429 and self._random.random() < rules.random_429:
                low, high = rules.random_retry_after
                return self._random.randint(low, high)
            if len(self._accepted) >= rules.per_bot or tokens < 1:
                return rules.retry_after
            self._accepted.append(now)
            self._chat_tokens[chat_id] = (tokens - 1, now)
            return None

    def _fault(self) -> tuple[int, dict[str, Any]] | None:
        """A failure instead of the send, for ``faults`` of the sends (None: no fault this time)."""
        rules = self.flood
        assert rules is not None
        with self._cond:
            if not rules.faults or self._random.random() >= rules.faults:
                return None
            kind = ("5xx", "timeout", "dropped")[sum(self.faulted.values()) % 3]
            self.faulted[kind] += 1
        if kind == "timeout":
            time.sleep(rules.hang)
            return 504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}
        if kind == "dropped":
            return DROP, {}
        return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method in ("sendMessage", "sendDocument") and int(params.get("chat_id", 0)) in self.down:
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        if method in ("sendMessage", "sendDocument") and int(params.get("chat_id", 0)) in self.blocked:
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        if self.flood is not None and method in ("sendMessage", "sendDocument") and (fault := self._fault()):
            return fault
        if self.flood is not None and method in ("sendMessage", "sendDocument"):
            if self.flood.latency:
                time.sleep(self.flood.latency)
            retry_after = self._flood_check(int(params["chat_id"]))
            if retry_after is not None:
                with self._cond:
                    self.rejected += 1
                description = f"Too Many Requests: retry after {retry_after}"
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": description,
                    "parameters": {"retry_after": retry_after},
                }
        ok: Callable[[Any], tuple[int, dict[str, Any]]] = lambda result: (200, {"ok": True, "result": result})  # noqa: E731
        if method == "standinStats":  # not the Bot API: what a benchmark in another process reads back
            with self._cond:
                return ok({"rejected": self.rejected, "delivered": [list(d) for d in self.delivered]})
        if method == "getMe":
            return ok(
                {
                    **BOT_USER,
                    "can_join_groups": False,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                }
            )
        if method == "getFile":  # as the Bot API answers: the path to fetch the file from
            path = self._file_paths.get(str(params.get("file_id")))
            if path is None:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            file_id = str(params["file_id"])
            return ok({"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(self.files[path]),
                       "file_path": path})  # fmt: skip
        if method == "getUpdates":
            return ok(self._get_updates(int(params.get("offset") or 0), float(params.get("timeout") or 0)))
        if method == "editMessageText":
            chat_id = int(params["chat_id"])
            return ok(
                {
                    "message_id": int(params["message_id"]),
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                    "text": params.get("text", ""),
                }
            )
        if method in ("sendMessage", "sendDocument"):
            if "chat_id" not in params:  # as Telegram answers a call without one
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}
            chat_id = int(params["chat_id"])
            msg: dict[str, Any] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            }
            if method == "sendMessage":
                msg["text"] = params.get("text", "")
                with self._cond:
                    self.delivered.append((chat_id, msg["text"], time.monotonic()))
                    self.accepted.append((chat_id, msg["message_id"], msg["text"]))
            else:
                msg["document"] = {"file_id": "doc", "file_unique_id": "docu", "file_name": params.get("filename")}
            return ok(msg)
        return ok(True)

    def _get_updates(self, offset: int, timeout: float) -> list[dict[str, Any]]:
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates:
                self._cond.wait(timeout=min(timeout, LONG_POLL))
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
