"""`nhacviec run`: one process with the scheduler, the outbox sender, the conversation core and the channels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.console.channel import ConsoleChannel
from bot.console.repl import repl
from bot.pacing import Pacer
from bot.telegram.links import invite_links
from core.conversation.engine import Conversation
from core.deadlines import VN_TZ
from core.i18n import check_catalogs
from core.ports import Channel
from core.repositories import UnitOfWorkFactory
from core.types import Platform, Sender
from core.usecases import accounts
from core.usecases.quota import QuotaGate
from core.usecases.rules import Rules
from models import db
from models.instances import Instance, new_instance
from nhacviec.config import Settings
from nhacviec.http import HttpServer, Readiness, Webhook, build_app
from nhacviec.leader import LeaderLoop
from nhacviec.metrics import Metrics
from nhacviec.notifier import ServiceNotifier
from nhacviec.wiring import Wiring, wired
from scheduler.engine import ReminderEngine
from scheduler.sender import OutboxSender
from web.app import dashboard_routes

if TYPE_CHECKING:
    from bot.telegram.app import TelegramBot
    from bot.zalo.app import ZaloBot

log = logging.getLogger("nhacviec")
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SENDER_GRACE = 4.0  # seconds the sends under way get to finish when the service stops
CONSOLE_OPERATOR = Sender(Platform.CONSOLE, "operator", "operator", "Người dùng máy chủ")


def web_secret(settings: Settings) -> str:
    """WEB_SECRET_KEY, or (development only: production refuses to start without it) a key for this run."""
    if settings.web_secret_key is not None:
        return settings.web_secret_key.get_secret_value()
    log.warning("WEB_SECRET_KEY is not set: dashboard sessions end when the service stops")
    return secrets.token_urlsafe(32)


def make_conversation(
    settings: Settings, uows: UnitOfWorkFactory, notifier: ServiceNotifier, rules: Rules | None = None
) -> Conversation:
    dashboard = settings.dashboard_url if settings.http_port is not None else None
    return Conversation(
        uows,
        notifier,
        rules,
        invite_links(settings.telegram_bot_username),
        (lambda token: f"{dashboard}/dang-nhap?t={token}") if dashboard else (lambda token: None),
    )


def admin_chats(uows: UnitOfWorkFactory, platform: Platform) -> Callable[[], Awaitable[list[str]]]:
    async def chats() -> list[str]:
        async with uows() as uow:
            return await accounts.admin_chat_ids(uow, platform)

    return chats


@contextlib.asynccontextmanager
async def console_only(w: Wiring) -> AsyncIterator[Conversation]:
    """The conversation with the console channel and a running sender; on exit, one final drain."""
    check_catalogs()
    sender = OutboxSender(w.uows, {Platform.CONSOLE: ConsoleChannel()})
    stop = asyncio.Event()
    sending = asyncio.create_task(sender.run(stop, poll_seconds=1.0))
    try:
        yield make_conversation(w.settings, w.uows, ServiceNotifier(sender), w.rules())
    finally:
        stop.set()
        await sending  # the loop ends first, so the last drain below is the only one running
        sender.stopping.clear()  # the service stops taking claims when it stops; `chat` sends what is left
        await sender.drain_once()


async def run_service(settings: Settings, stop: asyncio.Event | None = None, interactive: bool | None = None) -> None:
    """Run until SIGINT/SIGTERM (or ``stop``); undelivered messages stay queued in the database.

    Raises:
        AlreadyRunning: another `nhacviec run` holds this SQLite database.
        HttpPortInUse: HTTP_HOST:HTTP_PORT cannot be bound.
    """
    async with wired(settings) as w:
        instance = new_instance(settings.database_url, settings.database_schema)
        await instance.open()
        try:
            await _serve(w, instance, stop or asyncio.Event(), interactive)
        finally:
            await instance.close()  # the lead and this instance's claims are free for the others at once


async def _serve(w: Wiring, instance: Instance, stop: asyncio.Event, interactive: bool | None) -> None:
    from bot.telegram.app import WEBHOOK_PATH, TelegramBot, WebhookConfig  # the CLI starts faster without it

    settings = w.settings
    check_catalogs()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)

    rules = w.rules()
    metrics = Metrics(w.uows, settings.zalo_monthly_quota)
    channels: dict[Platform, Channel] = {Platform.CONSOLE: ConsoleChannel()}
    sender = OutboxSender(
        w.uows, channels, concurrency=settings.outbox_concurrency, instance=instance.id, telemetry=metrics
    )
    scheduler = AsyncIOScheduler(timezone=VN_TZ)
    reminders = ReminderEngine(
        w.uows, rules, sender, scheduler, grace=timedelta(hours=settings.missed_grace_hours), telemetry=metrics
    )
    conversation = make_conversation(settings, w.uows, ServiceNotifier(sender, reminders), rules)
    webhooks: list[Webhook] = []
    telegram: TelegramBot | None = None
    if settings.telegram_configured:
        assert settings.telegram_bot_token is not None
        webhook = None
        if settings.telegram_webhook_url and settings.telegram_webhook_secret is not None:
            webhook = WebhookConfig(settings.telegram_webhook_url, settings.telegram_webhook_secret.get_secret_value())
        telegram = TelegramBot(
            settings.telegram_bot_token.get_secret_value(),
            conversation,
            admin_chats(w.uows, Platform.TELEGRAM),
            settings.telegram_api_base_url,
            webhook,
            pacer=Pacer(settings.telegram_send_rate),
        )
        from bot.telegram.channel import TelegramChannel

        channels[Platform.TELEGRAM] = TelegramChannel(telegram.bot, telegram.pacer)  # one pacer per bot
        if webhook is not None:
            webhooks.append(Webhook(WEBHOOK_PATH, TELEGRAM_SECRET_HEADER, webhook.secret, telegram.feed))
    zalo = None
    if settings.zalo_configured:
        zalo = _zalo(settings, w.uows, conversation)
        channels[Platform.ZALO] = zalo.channel
        if zalo.webhook is not None:
            from bot.zalo.app import SECRET_HEADER
            from bot.zalo.app import WEBHOOK_PATH as ZALO_PATH

            webhooks.append(Webhook(ZALO_PATH, SECRET_HEADER, zalo.webhook.secret, zalo.handle))
    sender.channels = dict(channels)
    pacers = {"telegram": telegram.pacer} if telegram else {}
    if zalo is not None:
        pacers["zalo"] = zalo.channel.pacer
    metrics.pauses = lambda: {name: pacer.pauses for name, pacer in pacers.items()}

    def ready_channels() -> list[str]:
        ready = [name for name, bot in (("telegram", telegram), ("zalo", zalo)) if bot is not None and bot.ready]
        return ready if (telegram or zalo) else ["console"]  # with no chat platform, the console is the channel

    readiness = Readiness(lambda: db.require_current_schema(w.engine), ready_channels)
    http = None
    if settings.http_port is not None:
        secure = settings.dashboard_url.startswith("https:")
        links = invite_links(settings.telegram_bot_username)
        pages = dashboard_routes(w.uows, rules, web_secret(settings), secure, sender.kick, links)
        http = HttpServer(build_app(readiness, metrics, webhooks, pages), settings.http_host, settings.http_port)

    async def pollers() -> None:
        """Polling is the leader's: Telegram and Zalo each allow one poller per token."""
        if telegram is not None and telegram.ready:
            await (telegram.start_polling() if leader.leading else telegram.stop_polling())
        if zalo is not None and zalo.ready:
            if leader.leading:
                zalo.start_polling()
            else:
                await zalo.stop_polling()

    async def elected() -> None:
        await reminders.start()
        await pollers()
        jobs = sorted((j for j in scheduler.get_jobs() if j.next_run_time), key=lambda j: j.next_run_time)
        if jobs:
            log.info("next job: %s at %s", jobs[0].id, jobs[0].next_run_time.isoformat())

    async def deposed() -> None:
        reminders.stop()
        await pollers()

    def reopened(instance_id: int) -> None:
        sender.instance = instance_id

    leader = LeaderLoop(instance, elected, deposed, metrics.leading, settings.leader_check_seconds, reopened)
    metrics.leader.set(0)
    scheduler.start()
    sender_task = asyncio.create_task(sender.run(stop))
    tasks: list[asyncio.Task[None]] = []
    leading: asyncio.Task[None] | None = None
    try:
        if http is not None:
            http.start()
            paths = ", ".join(["/healthz", "/readyz", "/metrics", *(h.path for h in webhooks)])
            log.info("HTTP server on %s (%s)", http.url, paths)
            shown = settings.dashboard_url if settings.web_base_url else http.url
            log.info("dashboard: %s/ — sign in with /web in the bot, or: nhacviec login-link --as SNV", shown)
        await leader.tick()  # the first check before anything is said to run
        leading = asyncio.create_task(leader.run(stop))
        if telegram is not None:
            retrying = await _start_telegram(telegram, stop, pollers)
            if retrying is not None:
                tasks.append(retrying)
        if zalo is not None:
            await zalo.start()
        await pollers()
        log.info("nhacviec is running with channels: %s", ", ".join(sorted(channels)))
        if not leader.leading:
            log.info("instance %d is not the leader: it drains the outbox and serves webhooks", instance.id)
        if interactive if interactive is not None else sys.stdin.isatty():
            tasks.append(asyncio.create_task(_console(conversation, stop)))
        await stop.wait()
    finally:
        await _stop(stop, readiness, http, leading, tasks, scheduler, sender_task, telegram, zalo)


async def _stop(
    stop: asyncio.Event,
    readiness: Readiness,
    http: HttpServer | None,
    leading: asyncio.Task[None] | None,
    tasks: list[asyncio.Task[None]],
    scheduler: AsyncIOScheduler,
    sender_task: asyncio.Task[None],
    telegram: TelegramBot | None,
    zalo: ZaloBot | None,
) -> None:
    """Readiness fails first, then no more webhooks, no more points; the sends under way finish (or go back
    to the queue), the channels close; the caller then gives up the lead. Within STOP_SECONDS."""
    log.info("stopping: readiness, webhooks, the scheduler, then the sender (undelivered messages stay queued)")
    readiness.stopping = True
    stop.set()
    if http is not None:
        await http.stop()
    for task in tasks:  # the console and the Telegram retries
        task.cancel()
    if leading is not None:
        await asyncio.wait([leading], timeout=2)  # the leader loop steps down on ``stop``
    scheduler.shutdown(wait=False)
    try:
        await asyncio.wait_for(sender_task, SENDER_GRACE)
    except TimeoutError:  # a send that hangs: its claim is released by the next instance at once
        log.warning("the sender did not finish within %.0f s; its claims go back to the queue", SENDER_GRACE)
    for bot in (telegram, zalo):
        if bot is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bot.stop(), 2)


class TelegramTokenRejected(Exception):
    """The Bot API refused the token (401): the service does not start (the message never holds the token)."""


async def _start_telegram(
    telegram: TelegramBot, stop: asyncio.Event, started: Callable[[], Awaitable[None]]
) -> asyncio.Task[None] | None:
    """Start Telegram; if its servers cannot be reached, run on without it and keep trying with backoff (the
    task returned does that; None when Telegram started at once).

    Raises:
        TelegramTokenRejected: the token was refused; nothing else would fix that but the operator.
    """
    from telegram.error import InvalidToken, NetworkError

    async def attempt() -> bool:
        try:
            await telegram.start()
        except InvalidToken as exc:
            del exc  # its text holds the token
            raise TelegramTokenRejected(
                "Telegram từ chối TELEGRAM_BOT_TOKEN (the Bot API rejected the token): kiểm tra lại token"
            ) from None
        except NetworkError as exc:  # TimedOut included: the network, not the token
            log.warning("Telegram cannot be reached (%s); running on without it and retrying", type(exc).__name__)
            with contextlib.suppress(Exception):
                await telegram.stop()
            return False
        return True

    async def keep_trying() -> None:
        delay = 5.0
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            if stop.is_set():
                return
            try:
                if await attempt():
                    log.info("Telegram is reachable again")
                    await started()
                    return
            except TelegramTokenRejected:
                log.error("Telegram rejected the token; Telegram stays off until the service is restarted")
                return
            delay = min(delay * 2, 300.0)

    if await attempt():
        return None
    return asyncio.create_task(keep_trying())


def _zalo(settings: Settings, uows: UnitOfWorkFactory, conversation: Conversation) -> ZaloBot:
    from bot.zalo.app import ZaloBot, ZaloWebhookConfig
    from bot.zalo.channel import ZaloChannel
    from bot.zalo.client import ZaloClient

    assert settings.zalo_bot_token is not None
    client = ZaloClient(settings.zalo_bot_token.get_secret_value(), settings.zalo_api_base_url)
    quota = QuotaGate(uows, Platform.ZALO, settings.zalo_monthly_quota)
    channel = ZaloChannel(client, quota, Pacer(settings.zalo_send_rate))
    webhook = None
    if settings.zalo_webhook_url and settings.zalo_webhook_secret is not None:
        webhook = ZaloWebhookConfig(settings.zalo_webhook_url, settings.zalo_webhook_secret.get_secret_value())
    return ZaloBot(client, channel, conversation, webhook)


async def _console(conversation: Conversation, stop: asyncio.Event) -> None:
    """The terminal of `make run`: the operator registers with /dangky CODE and can type every command."""
    await repl(conversation, CONSOLE_OPERATOR, sys.stdin, sys.stdout, Path("exports"))
    stop.set()
