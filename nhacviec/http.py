"""The service's one HTTP server (Starlette on uvicorn, in the bot's event loop): the Telegram and Zalo
webhooks, /healthz, /readyz and /metrics. The dashboard to come mounts on the same app.

- /healthz: 200 while the process runs its loop.
- /readyz: 200 when the database answers at the schema the code needs and at least one chat channel is
  ready; 503 otherwise, and from the moment the service begins to stop (so a proxy sends no more).
- webhooks: the platform's secret header is compared in constant time; bodies over MAX_BODY are refused
  before they are read whole; the update is handled before the answer, so a failure makes the platform
  send it again (the core handles an update once).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import json
import logging
import socket
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from nhacviec.metrics import Metrics
from web.admission import Admission
from web.bodies import BODY_READ_TIMEOUT, BodyDeadline
from web.headers import SecurityHeaders

log = logging.getLogger("nhacviec.http")
LIMIT_CONCURRENCY = 500  # connections served at once; a webhook burst of a province is far below it
MAX_BODY = 1 << 20  # bytes: a Telegram update is a few KiB; a file is never posted, only its id


class HttpPortInUse(RuntimeError):
    """HTTP_HOST:HTTP_PORT cannot be bound."""


@dataclass(frozen=True)
class Webhook:
    path: str
    header: str  # where the platform puts the secret
    secret: str
    handle: Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Readiness:
    """What /readyz checks; ``stopping`` is set first thing on SIGTERM."""

    database: Callable[[], Awaitable[None]]  # raises when unreachable or behind the code
    channels: Callable[[], list[str]]  # the chat channels ready now
    stopping: bool = False
    last: dict[str, str] = field(default_factory=dict)

    async def check(self) -> tuple[bool, dict[str, str]]:
        found: dict[str, str] = {}
        if self.stopping:
            found["service"] = "stopping"
        try:
            async with asyncio.timeout(3.0):
                await self.database()
            found["database"] = "ok"
        except Exception as exc:
            found["database"] = f"unavailable ({type(exc).__name__})"
        ready = self.channels()
        found["channels"] = ", ".join(ready) if ready else "none ready"
        ok = not self.stopping and found["database"] == "ok" and bool(ready)
        self.last = found
        return ok, found


def settle_heap() -> None:
    """Once the service has started: move what start-up made (the libraries' modules, the wiring) out of the cyclic
    collector's way (``gc.freeze``). A full collection then walks only what requests made; before, each one walked
    everything and stalled the event loop, /healthz and the webhooks with it, 50–90 ms during a 5,000-agency matrix
    (issue 24, finding 4; bench/RESULTS.md)."""
    gc.collect()
    gc.freeze()


def build_app(
    readiness: Readiness,
    metrics: Metrics,
    webhooks: list[Webhook],
    pages: list[BaseRoute] | None = None,
    https: bool = False,
    body_timeout: float = BODY_READ_TIMEOUT,
) -> Starlette:
    """The service's app; ``pages`` (the dashboard) are mounted beside the service's own paths. Every response
    carries the security headers (HSTS too when the service is reached over ``https``); a body that stops arriving
    for ``body_timeout`` seconds is answered 408, a client hanging up mid-body is one INFO line."""

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        ok, found = await readiness.check()
        metrics.ready.set(1 if ok else 0)
        return JSONResponse({"ready": ok, **found}, status_code=200 if ok else 503)

    async def metrics_page(request: Request) -> Response:
        return Response(await metrics.render(), media_type=CONTENT_TYPE_LATEST)

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
    ]
    routes += [Route(hook.path, _webhook(hook, readiness), methods=["POST"]) for hook in webhooks]
    return Starlette(
        routes=[*routes, *(pages or [])],
        middleware=[
            Middleware(SecurityHeaders, https=https),
            Middleware(Admission),
            Middleware(BodyDeadline, timeout=body_timeout),
        ],
    )


def _refuse(status: int, description: str) -> Response:
    return JSONResponse({"ok": False, "description": description}, status_code=status)


def _webhook(hook: Webhook, readiness: Readiness) -> Callable[[Request], Awaitable[Response]]:
    secret = hook.secret.encode()

    async def endpoint(request: Request) -> Response:
        if readiness.stopping:  # another instance takes it: the platform retries
            return _refuse(503, "stopping")
        if not hmac.compare_digest(request.headers.get(hook.header, "").encode(), secret):
            return _refuse(403, "forbidden")
        declared = request.headers.get("content-length", "")
        if declared and (not (declared.isascii() and declared.isdigit()) or int(declared) > MAX_BODY):
            return _refuse(413, "too large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _refuse(413, "too large")
        try:
            update = json.loads(body or b"{}")
        except (ValueError, RecursionError):  # nested past the parser's depth: refused like any bad JSON
            return _refuse(400, "bad JSON")
        if not isinstance(update, dict):
            return _refuse(400, "not an update")
        try:
            await hook.handle(update)
        except Exception:  # not answered 200: the platform sends it again
            log.exception("webhook %s: the update could not be handled", hook.path)
            return _refuse(500, "not handled")
        return JSONResponse({"ok": True})

    return endpoint


HEAD_TIMEOUT = 10.0  # seconds a connection may take to send a request head


class _HeadDeadline(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline on each request head: a client that connects, or sends part of
    a head, and then nothing is disconnected after ``HEAD_TIMEOUT`` (uvicorn has keep-alive and body limits of
    its own but none for the head: slow heads could hold every connection ``limit_concurrency`` allows)."""

    head_timeout = HEAD_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        if self._between_requests():
            self._arm_head_timer()  # a head begins (after keep-alive): it has head_timeout from now, not more
        super().data_received(data)
        if not self._between_requests():
            self._disarm_head_timer()  # the head is complete: the body and the app have limits of their own

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._between_requests() and not self.transport.is_closing():
            log.info("HTTP: a request head took more than %.0f s; connection closed", self.head_timeout)
            self.transport.close()


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the service handles SIGINT and SIGTERM itself (uvicorn would raise them again on exit)


class HttpServer:
    """uvicorn serving the app on a socket bound up front (so a port in use fails the start clearly)."""

    def __init__(
        self, app: Starlette, host: str, port: int, head_timeout: float = HEAD_TIMEOUT, forwarded_allow_ips: str = ""
    ) -> None:
        """``forwarded_allow_ips``: the proxies (addresses or networks, comma-separated) whose X-Forwarded-For names
        the client; from anyone else the header is ignored. Empty: nobody's (uvicorn's own default trusts
        127.0.0.1, so a client there could name any address it liked: issue 28, finding 5)."""
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind((host, port))
        except OSError as exc:
            self.sock.close()
            raise HttpPortInUse(
                f"không mở được cổng HTTP {host}:{port} (cannot listen: {exc.strerror}); "
                "đặt HTTP_PORT khác, hoặc HTTP_PORT= để chạy không có máy chủ HTTP"
            ) from None
        self.sock.listen(128)
        self.host, self.port = host, int(self.sock.getsockname()[1])
        protocol = type("HeadDeadline", (_HeadDeadline,), {"head_timeout": head_timeout})
        config = uvicorn.Config(
            app,
            http=protocol,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=3,
            server_header=False,
            # Limits a careless or hostile client meets (issue 24, finding 8): idle keep-alive connections close
            # after 5 s, at most LIMIT_CONCURRENCY connections are served at once (the rest get 503), an incomplete
            # request head is capped at 64 KiB and HEAD_TIMEOUT seconds (_HeadDeadline); the body has
            # BODY_READ_TIMEOUT between chunks (web.bodies).
            timeout_keep_alive=5,
            limit_concurrency=LIMIT_CONCURRENCY,
            h11_max_incomplete_event_size=64 * 1024,
            proxy_headers=bool(forwarded_allow_ips.strip()),
            forwarded_allow_ips=forwarded_allow_ips.strip() or "",
        )
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self.sock]), name="http")

    async def stop(self) -> None:
        """Stop accepting, let requests under way finish (3 s at most)."""
        self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
        self.sock.close()
