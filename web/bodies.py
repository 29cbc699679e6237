"""How long a request's body may take, and what a client hanging up mid-body leaves behind (issue 24, finding 8).

A body that stops arriving for ``BODY_READ_TIMEOUT`` seconds between two chunks is answered 408 and the
connection freed (uvicorn has no body timeout of its own; Caddy in front bounds the request head). A client that
hangs up before its body is read is an everyday event on phone networks: one INFO line, not an ERROR traceback.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
BODY_READ_TIMEOUT = 15.0  # seconds between two chunks of a body


class BodyTimeout(Exception):
    """The client stopped sending its body."""


class BodyDeadline:
    """Pure ASGI middleware: a deadline on each chunk of a request body; hang-ups logged at INFO."""

    def __init__(self, app: ASGIApp, timeout: float = BODY_READ_TIMEOUT) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:  # after the body, Starlette listens for a hang-up: no deadline on that
                return await receive()
            try:
                async with asyncio.timeout(self.timeout):  # not wait_for: it can swallow a cancellation on 3.11
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout() from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, tracked_send)
        except BodyTimeout:
            log.info("%s %s: the body stopped arriving for %.0f s; answered 408", scope["method"], scope["path"],
                     self.timeout)  # fmt: skip
            if not started:
                await send({"type": "http.response.start", "status": 408, "headers": [(b"connection", b"close")]})
                await send({"type": "http.response.body", "body": b"request body timeout"})
        except ClientDisconnect:
            log.info("%s %s: the client hung up before its body was read", scope["method"], scope["path"])
