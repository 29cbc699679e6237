"""What the Telegram and Zalo stand-ins share: a threaded HTTP server on 127.0.0.1 answering
``POST /bot<TOKEN>/<method>`` with JSON, a record of calls, and waiting helpers for async tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

DROP = 0  # the status an ``answer`` gives to close the connection with no answer at all
LONG_POLL = 0.1  # seconds an empty getUpdates is held: a stopping poller waits for its last poll this long at most


class HttpStandIn:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every call but polls, failed ones included
        self.times: list[float] = []  # time.monotonic() of each call in ``calls``
        self.failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}  # method → answers to give first
        self.files: dict[str, bytes] = {}  # what GET /file/bot<TOKEN>/<path> serves (a platform's file store)
        self.downloads: list[str] = []  # the paths fetched
        self._cond = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # A short poll interval: ``stop`` returns within 50 ms rather than the default half second.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 15) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            result = predicate()
            if result:
                return result
            await asyncio.sleep(0.02)
        raise AssertionError(f"timed out; calls so far: {[m for m, _ in self.calls]}")

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The platform's answer to one call (subclasses)."""
        raise NotImplementedError

    def parse(self, content_type: str, body: bytes) -> dict[str, Any]:
        return dict(json.loads(body)) if body else {}

    def _dispatch(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not method.startswith("getUpdates"):
            with self._cond:
                self.calls.append((method, params))
                self.times.append(time.monotonic())
        pending = self.failures.get(method)
        if pending:
            return pending.pop(0)
        return self.answer(method, params)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                prefix, path = f"/file/bot{standin.token}/", unquote(self.path)  # clients quote the token's ":"
                data = standin.files.get(path[len(prefix) :]) if path.startswith(prefix) else None
                if data is None:
                    self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                with standin._cond:
                    standin.downloads.append(path[len(prefix) :])
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def do_POST(self) -> None:
                prefix = f"/bot{standin.token}/"
                if not self.path.startswith(prefix):
                    self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:  # torn by a client that went away (a bot stopping): nothing was asked
                    self.close_connection = True
                    return
                params = standin.parse(self.headers.get("Content-Type", ""), body)
                self._send(*standin._dispatch(self.path[len(prefix) :], params))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                if status == DROP:
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client gone at shutdown
                    self.wfile.write(data)

        return Handler
