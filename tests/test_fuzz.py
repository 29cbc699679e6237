"""Proof under hostile input: hypothesis-generated updates — random and very long text, mixed Unicode and NFD,
zero-width characters, malformed button data, unknown and partial commands, group chats, edited messages,
repeated update ids — into the conversation core and through both webhooks of the service's HTTP server.
No exception escapes or is logged, nothing is written on behalf of a stranger (or, for admin matters, of a
focal person), and every reply fits the platform's limits. Real database, core, server and bots; the chat
platforms are the stand-ins (the only fakes).

Hypothesis runs in a worker thread; each example is a coroutine run on the test's event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import unicodedata
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.telegram.app import WEBHOOK_PATH, TelegramBot, WebhookConfig
from bot.telegram.render import LIMIT as TELEGRAM_LIMIT
from bot.zalo.app import SECRET_HEADER, ZaloBot, ZaloWebhookConfig
from bot.zalo.app import WEBHOOK_PATH as ZALO_PATH
from bot.zalo.channel import ZaloChannel
from bot.zalo.client import ZaloClient
from bot.zalo.render import LIMIT as ZALO_LIMIT
from bot.zalo.render import render as zalo_render
from core.conversation.commands import COMMANDS
from core.conversation.engine import Conversation
from core.conversation.events import EventKind, Incoming, Sender
from core.textsplit import split_text
from core.types import Platform, Role
from core.usecases.quota import QuotaGate
from models import tables as t
from nhacviec.http import Webhook
from nhacviec.notifier import ServiceNotifier
from nhacviec.service import TELEGRAM_SECRET_HEADER, admin_chats
from scheduler.sender import OutboxSender
from tests.conftest import Database
from tests.factories import add_person
from tests.fakes import unpaced
from tests.serving import serving
from tests.telegram_standin import BotApiStandIn
from tests.waiting import until
from tests.zalo_standin import ZaloApiStandIn

FOCAL = "9001"  # a registered focal person of Sở Tư pháp, on Telegram and on Zalo
TOKEN = "7000000006:AAH-fuzz-test-token-0123456789abcdefgh"
ZALO_TOKEN = "2718281828459045235:ZnV6ei10ZXN0LXRva2VuLWZvci16YWxv"
SECRET = "fuzz-webhook-secret-0123456789"
FUZZ = settings(  # as many examples as the profile says (tests/conftest.py): 150 in `make test`, 25 in `make check`
    deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True
)
ADMIN_TABLES = (t.Notice, t.ReportPeriod, t.Invite, t.Person, t.ChatAccount, t.Agency)
STRANGER_TABLES = (*ADMIN_TABLES, t.Submission, t.Delivery)

# ----------------------------------------------------------------------------------------------- inputs

ZERO_WIDTH = st.sampled_from(["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad"])
WORDS = st.sampled_from(["đã nộp", "nhiệm vụ", "2023-04", "46/BC-STP", "III.7", "tất cả", "1", "0", "-1", "99999"])
NAMES = st.sampled_from(
    [f"/{c.name}" for c in COMMANDS]
    + [f"/{c.name[:2]}" for c in COMMANDS]
    + ["/", "/x", "/start@nhacviec_bot", "/dangky"]
)


def _nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=3000, max_size=9000),
    st.builds(lambda a, b, z: f"{a}{z}{b}", NAMES, WORDS, ZERO_WIDTH),
    st.builds(lambda a, b: _nfd(f"{a} {b}"), NAMES, WORDS),
    st.builds(lambda a, b: f"{a} {_nfd(b)}", WORDS, st.text(max_size=40)),
    st.lists(st.one_of(NAMES, WORDS, ZERO_WIDTH), max_size=8).map(" ".join),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
TOKENS = st.one_of(st.text(max_size=80), st.from_regex(r"[a-z]{1,3}:[0-9]{0,6}:?[a-z0-9]{0,8}", fullmatch=True))


@st.composite
def events(draw: st.DrawFn) -> Incoming:
    registered = draw(st.booleans())
    user = FOCAL if registered else draw(st.sampled_from(["8001", "8002", "-100777"]))
    private = draw(st.booleans()) if registered else draw(st.sampled_from([True, True, False]))
    sender = Sender(Platform.TELEGRAM, user, user if private else "-100555", draw(st.text(max_size=30)), private)
    kind = draw(st.sampled_from(list(EventKind)))
    text = draw(TEXT)
    key = draw(st.one_of(st.none(), st.sampled_from(["1", "2", "3"]), st.integers(0, 10**9).map(str)))
    if kind is EventKind.COMMAND:
        name = draw(NAMES).lstrip("/").split("@")[0]
        return Incoming(sender, kind, command=name, args=text, text=f"/{name} {text}", update_key=key)
    if kind is EventKind.CHOICE:
        return Incoming(sender, kind, token=draw(TOKENS), update_key=key)
    return Incoming(sender, kind, text=text, update_key=key)


def _user(uid: int) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": "Người thử"}


@st.composite
def telegram_updates(draw: st.DrawFn) -> dict[str, Any]:
    uid = draw(st.sampled_from([int(FOCAL), 8001, 8002]))
    chat_type = draw(st.sampled_from(["private", "private", "group", "supergroup", "channel"]))
    chat = {"id": uid if chat_type == "private" else -100555, "type": chat_type}
    message = {"message_id": draw(st.integers(1, 10**6)), "date": 0, "chat": chat, "from": _user(uid)}
    message["text"] = draw(st.one_of(TEXT, NAMES))
    shape = draw(st.sampled_from(["message", "edited_message", "callback_query", "junk", "partial"]))
    update: dict[str, Any] = {"update_id": draw(st.one_of(st.integers(1, 5), st.integers(6, 2**31)))}
    if shape == "callback_query":
        update[shape] = {
            "id": str(draw(st.integers(1, 10**9))),
            "from": message["from"],
            "chat_instance": "1",
            "data": draw(TOKENS),
            "message": {k: v for k, v in message.items() if k != "from"},
        }
    elif shape == "junk":
        update.update(draw(st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=4)))
    elif shape == "partial":
        update["message"] = draw(st.sampled_from([{}, {"chat": chat}, {"text": "/huongdan"}, {"from": 5, "chat": "x"}]))
    else:
        update[shape] = message
    return update


@st.composite
def zalo_updates(draw: st.DrawFn) -> dict[str, Any]:
    uid = draw(st.sampled_from([FOCAL, "8001", "z-unknown"]))
    message: dict[str, Any] = {
        "from": draw(st.sampled_from([{"id": uid, "display_name": "Thử", "is_bot": False}, {"id": uid}, {}, "x"])),
        "chat": draw(st.sampled_from([{"id": uid, "chat_type": "PRIVATE"}, {"id": "g1", "chat_type": "GROUP"}, {}])),
        "message_id": draw(st.one_of(st.sampled_from(["m1", "m2"]), st.text(max_size=20))),
        "text": draw(st.one_of(TEXT, NAMES, st.integers())),
    }
    name = draw(st.sampled_from(["message.text.received", "message.image.received", "message.sticker.received", ""]))
    body: dict[str, Any] = {"event_name": name, "message": message}
    return draw(st.sampled_from([body, {"ok": True, "result": body}, {"result": "x"}, {"message": []}]))


# ----------------------------------------------------------------------------------------------- helpers


class _Errors(logging.Handler):
    """Records every ERROR (an exception the code caught and logged counts as one that escaped a handler)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> Any:
    handler = _Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


async def _counts(db: Database, tables: tuple[type[Any], ...]) -> dict[str, int]:
    """Rows of each table, in one query."""
    counts = [select(func.count()).select_from(m).scalar_subquery() for m in tables]
    async with db.sessions() as s:
        row = (await s.execute(select(*counts))).one()
    return {m.__tablename__: int(n) for m, n in zip(tables, row, strict=True)}


async def _fuzz(strategy: st.SearchStrategy[Any], example: Callable[[Any], Coroutine[Any, Any, None]]) -> None:
    """Run hypothesis in a worker thread; every example runs on this event loop."""
    loop = asyncio.get_running_loop()
    ran = 0

    @FUZZ
    @given(strategy)
    def check(value: Any) -> None:
        nonlocal ran
        ran += 1
        asyncio.run_coroutine_threadsafe(example(value), loop).result(timeout=60)

    await asyncio.to_thread(check)
    assert ran >= FUZZ.max_examples, ran  # every example was tried


def _no_errors(errors: _Errors) -> None:
    assert not errors.records, [f"{r.name}: {r.getMessage()}" for r in errors.records[:5]]


# ----------------------------------------------------------------------------------------------- tests


async def test_the_conversation_core_takes_any_event(loaded: Database, errors: _Errors) -> None:
    await add_person(loaded, "STP", Role.FOCAL, "Lê Văn Sơn", FOCAL, platform="telegram")
    conversation = Conversation(loaded.uows, ServiceNotifier(OutboxSender(loaded.uows, {})))

    async def example(event: Incoming) -> None:
        watched = STRANGER_TABLES if event.sender.user_id != FOCAL or not event.sender.private else ADMIN_TABLES
        before = await _counts(loaded, watched)
        replies = await conversation.handle(event)
        assert await _counts(loaded, watched) == before, event
        for reply in replies:
            assert all(len(part) <= TELEGRAM_LIMIT for part in split_text(reply.text, TELEGRAM_LIMIT))
            assert all(len(part) <= ZALO_LIMIT for part in zalo_render(reply.text, (), reply.language))
            assert all(len(c.token.encode()) <= 64 for c in reply.choices)  # Telegram's callback_data limit
        _no_errors(errors)

    await _fuzz(events(), example)


# The webhooks' parsing is the subject: SQLite is enough (what the database makes of any text is the core fuzz's,
# on both backends).
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.proof(seconds=19)  # fuzzing both webhooks over HTTP
async def test_both_webhooks_take_any_body(loaded: Database, errors: _Errors) -> None:
    await add_person(loaded, "STP", Role.FOCAL, "Lê Văn Sơn", FOCAL, platform="telegram")
    await add_person(loaded, "STP", Role.FOCAL, "Lê Văn Sơn (Zalo)", FOCAL, platform="zalo")
    telegram_api, zalo_api = BotApiStandIn(TOKEN), ZaloApiStandIn(ZALO_TOKEN)
    telegram_api.start()
    zalo_api.start()
    conversation = Conversation(loaded.uows, ServiceNotifier(OutboxSender(loaded.uows, {})))
    telegram = TelegramBot(
        TOKEN,
        conversation,
        admin_chats(loaded.uows, Platform.TELEGRAM),
        telegram_api.base_url,
        WebhookConfig("https://bot.example.invalid/telegram", SECRET),
        pacer=unpaced(),
    )
    client = ZaloClient(ZALO_TOKEN, zalo_api.base_url)
    zalo = ZaloBot(
        loaded.uows,
        client,
        ZaloChannel(client, QuotaGate(loaded.uows, Platform.ZALO, 1_000_000), unpaced()),
        conversation,
        ZaloWebhookConfig("https://bot.example.invalid/zalo", SECRET),
    )
    await telegram.start()
    await telegram.start_polling()  # the leader's part: answering what the webhook kept
    await zalo.start()
    zalo.start_polling()
    hooks = [
        Webhook(WEBHOOK_PATH, TELEGRAM_SECRET_HEADER, SECRET, telegram.feed),
        Webhook(ZALO_PATH, SECRET_HEADER, SECRET, zalo.handle),
    ]
    try:
        async with serving(loaded.uows, hooks) as server, httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            for path, header, strategy in (
                (WEBHOOK_PATH, TELEGRAM_SECRET_HEADER, telegram_updates()),
                (ZALO_PATH, SECRET_HEADER, zalo_updates()),
            ):
                await _fuzz(strategy, _poster(loaded, http, path, header, errors))
            raw = await http.post(WEBHOOK_PATH, content=b"\xff{not json", headers={TELEGRAM_SECRET_HEADER: SECRET})
            assert raw.status_code == 400
            huge = await http.post(ZALO_PATH, content=b"x" * (2 << 20), headers={SECRET_HEADER: SECRET})
            assert huge.status_code == 413
            await until(zalo.inbox.idle, "every Zalo update the webhook kept answered")
            await until(telegram.inbox.idle, "every Telegram update the webhook kept answered")
    finally:
        await telegram.stop()
        await zalo.stop()
        telegram_api.stop()
        zalo_api.stop()
    assert all(len(str(p.get("text", ""))) <= TELEGRAM_LIMIT for m, p in telegram_api.calls if m == "sendMessage")
    assert all(len(text) <= ZALO_LIMIT for text in zalo_api.sent())
    assert any(m == "sendMessage" for m, _ in telegram_api.calls) and zalo_api.sent()  # the fuzz reached replies


def _poster(
    db: Database, http: httpx.AsyncClient, path: str, header: str, errors: _Errors
) -> Callable[[dict[str, Any]], Coroutine[Any, Any, None]]:
    async def example(body: dict[str, Any]) -> None:
        before = await _counts(db, (*ADMIN_TABLES, t.Submission))
        answer = await http.post(path, content=json.dumps(body), headers={header: SECRET})
        assert answer.status_code in (200, 400), (answer.status_code, body)
        assert await _counts(db, (*ADMIN_TABLES, t.Submission)) == before, body
        _no_errors(errors)

    return example
