"""Issue 24, finding 5: every response of the service's HTTP server carries the security headers (no framing by
another site, no Referer leak, no sniffing, dashboard pages not cached; HSTS behind HTTPS). Over ASGI against the
service's real app (``nhacviec.http.build_app``) with the real dashboard routes and database."""

from __future__ import annotations

import asyncio
import logging
import re

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from core.deadlines import utcnow
from core.types import Role
from core.usecases import web_access
from core.usecases.rules import Rules
from models import tables as t
from nhacviec.http import HttpServer, Readiness, Webhook, build_app
from nhacviec.metrics import Metrics
from tests.conftest import Database
from tests.waiting import until
from web.app import dashboard_routes

XFF = "X-Forwarded-For"


async def _ready() -> None:
    """Readiness is not what this test looks at."""


@pytest.mark.parametrize("https", [False, True])
async def test_every_response_carries_the_security_headers(loaded: Database, https: bool) -> None:
    app = build_app(
        Readiness(_ready, lambda: ["test"]),
        Metrics(loaded.uows, 3000),
        [],
        dashboard_routes(loaded.uows, Rules(), "headers-test-secret-key"),
        https,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dashboard") as client:
        answers = {
            "health": await client.get("/healthz"),
            "sign-in page": await client.get("/da-dang-xuat"),
            "refused page": await client.get("/"),  # 401 without a session: still framed by nobody
            "not found": await client.get("/khong-co"),
            "static": await client.get("/static/style.css"),
        }
    for what, r in answers.items():
        assert r.headers["x-frame-options"] == "DENY", what
        assert r.headers["content-security-policy"] == "frame-ancestors 'none'", what
        assert r.headers["referrer-policy"] == "same-origin" and r.headers["x-content-type-options"] == "nosniff"
        assert ("strict-transport-security" in r.headers) is https, what
    assert answers["sign-in page"].headers["cache-control"] == "no-store"
    assert "no-store" not in answers["static"].headers.get("cache-control", "")  # the stylesheet may be cached


async def test_a_webhook_nested_too_deep_is_refused_not_a_500(loaded: Database) -> None:
    """Issue 24, finding 8: deeply nested JSON with the right secret raised RecursionError (a 500, and the platform
    would send it again for ever); it is refused as bad JSON and handled by nobody."""
    handled: list[dict[str, object]] = []

    async def handle(update: dict[str, object]) -> None:
        handled.append(update)

    hook = Webhook("/telegram", "X-Telegram-Bot-Api-Secret-Token", "hook-secret", handle)
    app = build_app(Readiness(_ready, lambda: ["test"]), Metrics(loaded.uows, 3000), [hook])
    deep = b"[" * 200_000 + b"]" * 200_000  # 400 kB: under the body limit, far past the parser's depth
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as client:
        nested = await client.post(
            "/telegram", content=deep, headers={"X-Telegram-Bot-Api-Secret-Token": "hook-secret"}
        )
        fine = await client.post("/telegram", json={"update_id": 1}, headers={hook.header: "hook-secret"})
    assert nested.status_code == 400 and nested.json() == {"ok": False, "description": "bad JSON"}
    assert fine.status_code == 200 and handled == [{"update_id": 1}]


async def test_behind_https_the_language_cookie_is_secure_too(loaded: Database) -> None:
    """Issue 24, finding 8: the session cookie was Secure behind HTTPS, the language cookie never."""
    app = Starlette(routes=dashboard_routes(loaded.uows, Rules(), "headers-test-secret-key", secure=True))
    async with loaded.uows() as uow:
        token = await web_access.operator_link(uow, "SNV", Role.ADMIN, "Quản trị viên", utcnow())
        await uow.commit()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://dashboard") as client:
        signed_in = await client.get("/dang-nhap", params={"t": token})
        assert signed_in.status_code == 303 and "secure" in signed_in.headers["set-cookie"].lower()
        csrf = re.search(r'name="csrf" value="([^"]+)"', (await client.get("/can-bo")).text)
        assert csrf is not None
        switched = await client.post("/ngon-ngu", data={"csrf": csrf.group(1), "lang": "en", "back": "/"})
    cookie = switched.headers["set-cookie"]
    assert switched.status_code == 303 and cookie.startswith("nhacviec_lang=en") and "; secure" in cookie.lower()


async def _raw(url: str, head: bytes, body: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(head + body)
    await writer.drain()
    return reader, writer


async def test_a_body_that_stops_arriving_is_answered_408_and_a_hang_up_is_one_info_line(
    loaded: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 24, finding 8: a client hanging up mid-body logged an ERROR traceback, and a body that stopped arriving
    held the connection for ever. Over a real socket against the service's HTTP server (uvicorn), the body timeout
    injected as 0.2 s."""
    handled: list[dict[str, object]] = []

    async def handle(update: dict[str, object]) -> None:
        handled.append(update)

    app = build_app(
        Readiness(_ready, lambda: ["test"]),
        Metrics(loaded.uows, 3000),
        [Webhook("/zalo", "X-Secret", "hook-secret-123", handle)],
        body_timeout=0.2,
    )
    server = HttpServer(app, "127.0.0.1", 0)
    server.start()
    caplog.set_level(logging.INFO)
    head = b"POST /zalo HTTP/1.1\r\nHost: x\r\nX-Secret: hook-secret-123\r\nContent-Length: 1000\r\n\r\n"
    try:
        reader, writer = await _raw(server.url, head, b'{"a": ')  # 6 of 1,000 bytes, then nothing
        answer = await asyncio.wait_for(reader.read(), 30)  # the server closes after its answer
        writer.close()
        assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
        reader, writer = await _raw(server.url, head, b'{"a": ')
        writer.close()  # hangs up mid-body
        await until(lambda: "hung up before its body was read" in caplog.text, "the hang-up logged")
        assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert handled == []
    finally:
        await server.stop()


async def test_a_request_head_that_stops_arriving_closes_the_connection(loaded: Database) -> None:
    """Issue 24, finding 8: uvicorn bounds idle keep-alive connections and bodies (above) but not a request head:
    a client that connects and sends half a head held its connection for ever. The head timeout injected as
    0.2 s; a whole request on the same server is answered."""
    app = build_app(Readiness(_ready, lambda: ["test"]), Metrics(loaded.uows, 3000), [])
    server = HttpServer(app, "127.0.0.1", 0, head_timeout=0.2)
    server.start()
    try:
        reader, writer = await _raw(server.url, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", b"")  # no blank line
        assert await asyncio.wait_for(reader.read(), 30) == b""  # closed by the server, unanswered
        writer.close()
        reader, writer = await _raw(server.url, b"", b"")  # connects, sends nothing
        assert await asyncio.wait_for(reader.read(), 30) == b""
        writer.close()
        reader, writer = await _raw(server.url, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"")
        assert (await asyncio.wait_for(reader.read(), 30)).startswith(b"HTTP/1.1 200")
        writer.close()
    finally:
        await server.stop()


async def test_behind_the_proxy_the_throttle_keys_on_the_client_the_proxy_names(loaded: Database) -> None:
    """Issue 28, finding 5: the sign-in throttle was keyed on the TCP peer, so behind Caddy every user was Caddy and
    ten wrong links locked the province out; and from 127.0.0.1 (uvicorn's default trusted proxy) X-Forwarded-For
    was believed from anyone, so rotating it bypassed the throttle. Through the real uvicorn, with the proxy at
    127.0.0.2 trusted (FORWARDED_ALLOW_IPS): what it names is the client; what anyone else sends is ignored. The
    proxy here is a stand-in for Caddy: a client at 127.0.0.2 adding X-Forwarded-For as Caddy does."""
    app = build_app(
        Readiness(_ready, lambda: ["test"]),
        Metrics(loaded.uows, 3000),
        [],
        dashboard_routes(loaded.uows, Rules(), "proxy-test-secret-key"),
    )
    server = HttpServer(app, "127.0.0.1", 0, forwarded_allow_ips="127.0.0.2")
    server.start()

    def client(source: str) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(local_address=source)
        return httpx.AsyncClient(transport=transport, base_url=server.url, timeout=30)

    async def good_link() -> str:
        async with loaded.uows() as uow:
            token = await web_access.operator_link(uow, "SNV", Role.ADMIN, "Quản trị viên", utcnow())
            await uow.commit()
        return token

    try:
        async with client("127.0.0.2") as proxy, client("127.0.0.3") as stranger:
            for i in range(web_access.SIGN_IN_FAILURES):  # one user behind the proxy guesses ten times
                guess = await proxy.get("/dang-nhap", params={"t": f"sai-{i}"}, headers={XFF: "198.51.100.1"})
                assert guess.status_code == 403
            held = await proxy.get("/dang-nhap", params={"t": await good_link()}, headers={XFF: "198.51.100.1"})
            assert held.status_code == 429  # that user waits …
            other = await proxy.get("/dang-nhap", params={"t": await good_link()}, headers={XFF: "198.51.100.2"})
            assert other.status_code == 303  # … the next user behind the same proxy does not
            for i in range(web_access.SIGN_IN_FAILURES):  # not the proxy: its X-Forwarded-For is not believed
                guess = await stranger.get("/dang-nhap", params={"t": f"gia-{i}"}, headers={XFF: f"203.0.113.{i}"})
                assert guess.status_code == 403
            spoofed = await stranger.get("/dang-nhap", params={"t": await good_link()}, headers={XFF: "203.0.113.200"})
            assert spoofed.status_code == 429  # rotating the header did not make it someone else
        async with loaded.sessions() as s:
            actors = set(
                (await s.scalars(select(t.AuditLog.actor).where(t.AuditLog.action == "web_sign_in_refused"))).all()
            )
        assert actors == {"web:198.51.100.1", "web:127.0.0.3"}
    finally:
        await server.stop()
