"""Issue 28, finding 16: dashboard pages take a place among a few before any work is done for them, so a crowd
cannot fill the event loop the outbox sender shares; /healthz and the webhooks never wait. Over ASGI, with a page
that holds its place until told."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from web.admission import PAGES_AT_ONCE, Admission


async def test_a_crowd_is_worked_on_a_few_at_a_time_and_healthz_never_waits() -> None:
    inside = 0
    most = 0
    release = asyncio.Event()

    async def page(request: Request) -> PlainTextResponse:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await release.wait()
        inside -= 1
        return PlainTextResponse("trang")

    async def health(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[Route("/", page), Route("/healthz", health), Route("/zalo", health, methods=["POST"])],
        middleware=[Middleware(Admission)],
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as client:
        crowd = [asyncio.create_task(client.get("/")) for _ in range(40)]
        while inside < PAGES_AT_ONCE:
            await asyncio.sleep(0)
        for _ in range(50):  # let the others try to get in
            await asyncio.sleep(0)
        assert inside == PAGES_AT_ONCE  # the rest wait, parked
        assert (await client.get("/healthz")).text == "ok"  # never waits behind the crowd
        assert (await client.post("/zalo")).status_code == 200
        release.set()
        answers = await asyncio.gather(*crowd)
    assert [a.text for a in answers] == ["trang"] * 40 and most == PAGES_AT_ONCE
