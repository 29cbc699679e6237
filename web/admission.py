"""How many dashboard pages are worked on at once (issue 28, finding 16).

The service answers the dashboard, the webhooks, /healthz and the outbox sender on one event loop. Two hundred
officers opening the matrix at once filled that loop with ready work, and the sender's every await waited behind it:
a fan-out fell to a sixth of its rate. Pages now take a place among ``PAGES_AT_ONCE`` before any work is done for
them (the rest wait, parked, costing nothing); /healthz, /readyz, /metrics and the platforms' webhooks never wait.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

PAGES_AT_ONCE = 4
NEVER_WAIT = ("/healthz", "/readyz", "/metrics", "/telegram", "/zalo", "/static/")


class Admission:
    """Pure ASGI middleware: at most ``limit`` page requests in progress; the service's own paths go straight in."""

    def __init__(self, app: ASGIApp, limit: int = PAGES_AT_ONCE) -> None:
        self.app = app
        self.limit = limit
        self._places: asyncio.Semaphore | None = None  # made on the serving loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(NEVER_WAIT):
            await self.app(scope, receive, send)
            return
        if self._places is None:
            self._places = asyncio.Semaphore(self.limit)
        async with self._places:
            await self.app(scope, receive, send)
