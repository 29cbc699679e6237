"""The service's real HTTP server (nhacviec.http) on a free port, for tests that post to its webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.repositories import UnitOfWorkFactory
from nhacviec.http import HttpServer, Readiness, Webhook, build_app
from nhacviec.metrics import Metrics


async def _database_answers() -> None:
    """The tests that use this server look at webhooks, not readiness: the database is theirs and up."""


@asynccontextmanager
async def serving(uows: UnitOfWorkFactory, webhooks: list[Webhook]) -> AsyncIterator[HttpServer]:
    server = HttpServer(
        build_app(Readiness(_database_answers, lambda: ["test"]), Metrics(uows, 3000), webhooks), "127.0.0.1", 0
    )
    server.start()
    try:
        yield server
    finally:
        await server.stop()
