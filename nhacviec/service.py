"""`nhacviec run`: one process with the scheduler, the outbox sender, the conversation core and the channels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
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
from nhacviec.http import HttpServer, Readiness, Webhook, build_app, settle_heap
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


@dataclass(frozen=True)
class Timing:
    """The delays and intervals of a running service. Tests shorten them rather than wait them out."""

    telegram_retry: float = 5.0  # seconds before trying an unreachable Bot API again (doubling, up to the cap)
    telegram_retry_cap: float = 300.0
    sender_poll: float = 5.0  # the outbox is drained at least this often (retries that came due)
    sender_grace: float = 4.0  # seconds the sends under way get to finish when the service stops
    parts_stop: float = 2.0  # seconds each of the leader loop and the chat platforms gets to stop


async def run_service(
    settings: Settings, stop: asyncio.Event | None = None, interactive: bool | None = None, timing: Timing = Timing()
) -> None:
    """Run until SIGINT/SIGTERM (or ``stop``); undelivered messages stay queued in the database.

    Raises:
        AlreadyRunning: another `nhacviec run` holds this SQLite database.
        HttpPortInUse: HTTP_HOST:HTTP_PORT cannot be bound.
        TelegramTokenRejected: the Bot API refused the token.
    """
    async with wired(settings) as w:
        instance = new_instance(settings.database_url, settings.database_schema)
        await instance.open()
        try:
            check_catalogs()
            service = build(w, instance, timing)
            await service.run(stop or asyncio.Event(), sys.stdin.isatty() if interactive is None else interactive)
        finally:
            await instance.close()  # the lead and this instance's claims are free for the others at once


def build(w: Wiring, instance: Instance, timing: Timing = Timing()) -> Service:
    """Every part of one `nhacviec run`, wired; nothing is started or connected yet (but the HTTP socket bound).

    Raises:
        HttpPortInUse: HTTP_HOST:HTTP_PORT cannot be bound.
    """
    from bot.telegram.app import WEBHOOK_PATH, TelegramBot, WebhookConfig  # the CLI starts faster without it

    settings = w.settings
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
        pages = dashboard_routes(
            w.uows, rules, web_secret(settings), secure, sender.kick, links, zalo_quota=settings.zalo_monthly_quota
        )
        https = (settings.web_base_url or "").startswith("https://")
        http = HttpServer(
            build_app(readiness, metrics, webhooks, pages, https),
            settings.http_host,
            settings.http_port,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
    return Service(
        settings, instance, timing, metrics, sender, scheduler, reminders, conversation, telegram, zalo,
        channels, webhooks, readiness, http,
    )  # fmt: skip


class Service:
    """The parts of one `nhacviec run` (made by ``build``) and how they run together: every instance drains the
    outbox and serves HTTP; the leader (``LeaderLoop``) also runs the reminder scheduler and the pollers."""

    def __init__(
        self,
        settings: Settings,
        instance: Instance,
        timing: Timing,
        metrics: Metrics,
        sender: OutboxSender,
        scheduler: AsyncIOScheduler,
        reminders: ReminderEngine,
        conversation: Conversation,
        telegram: TelegramBot | None,
        zalo: ZaloBot | None,
        channels: dict[Platform, Channel],
        webhooks: list[Webhook],
        readiness: Readiness,
        http: HttpServer | None,
    ) -> None:
        self.settings, self.instance, self.timing, self.metrics = settings, instance, timing, metrics
        self.sender, self.scheduler, self.reminders, self.conversation = sender, scheduler, reminders, conversation
        self.telegram, self.zalo, self.channels, self.webhooks = telegram, zalo, channels, webhooks
        self.readiness, self.http = readiness, http
        self.leader = LeaderLoop(
            instance, self.elected, self.deposed, metrics.leading, settings.leader_check_seconds, self.reopened
        )

    # ------------------------------------------------------------------ what the lead changes

    async def pollers(self) -> None:
        """Polling is the leader's: Telegram and Zalo each allow one poller per token."""
        telegram, zalo, leading = self.telegram, self.zalo, self.leader.leading
        if telegram is not None and telegram.ready:
            await (telegram.start_polling() if leading else telegram.stop_polling())
        if zalo is not None and zalo.ready:
            if leading:
                zalo.start_polling()
            else:
                await zalo.stop_polling()

    async def elected(self) -> None:
        await self.reminders.start()
        await self.pollers()
        jobs = sorted((j for j in self.scheduler.get_jobs() if j.next_run_time), key=lambda j: j.next_run_time)
        if jobs:
            log.info("next job: %s at %s", jobs[0].id, jobs[0].next_run_time.isoformat())

    async def deposed(self) -> None:
        self.reminders.stop()
        await self.pollers()

    def reopened(self, instance_id: int) -> None:
        self.sender.instance = instance_id

    # ------------------------------------------------------------------ running

    async def run(self, stop: asyncio.Event, interactive: bool = False) -> None:
        """Start every part, run until ``stop`` (or SIGINT/SIGTERM), then stop them in order."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
                loop.add_signal_handler(sig, stop.set)
        settings, http = self.settings, self.http
        self.metrics.leader.set(0)
        self.scheduler.start()
        sender_task = asyncio.create_task(self.sender.run(stop, self.timing.sender_poll))
        tasks: list[asyncio.Task[None]] = []
        leading: asyncio.Task[None] | None = None
        try:
            if http is not None:
                http.start()
                paths = ", ".join(["/healthz", "/readyz", "/metrics", *(h.path for h in self.webhooks)])
                log.info("HTTP server on %s (%s)", http.url, paths)
                shown = settings.dashboard_url if settings.web_base_url else http.url
                log.info("dashboard: %s/ — sign in with /web in the bot, or: nhacviec login-link --as SNV", shown)
            await self.leader.tick()  # the first check before anything is said to run
            leading = asyncio.create_task(self.leader.run(stop))
            if self.telegram is not None:
                retrying = await _start_telegram(self.telegram, stop, self.pollers, self.timing)
                if retrying is not None:
                    tasks.append(retrying)
            if self.zalo is not None:
                await self.zalo.start()
            await self.pollers()
            log.info("nhacviec is running with channels: %s", ", ".join(sorted(self.channels)))
            settle_heap()
            if not self.leader.leading:
                log.info("instance %d is not the leader: it drains the outbox and serves webhooks", self.instance.id)
            if interactive:
                tasks.append(asyncio.create_task(_console(self.conversation, stop)))
            await stop.wait()
        finally:
            await self._stop(stop, leading, tasks, sender_task)

    async def _stop(
        self,
        stop: asyncio.Event,
        leading: asyncio.Task[None] | None,
        tasks: list[asyncio.Task[None]],
        sender_task: asyncio.Task[None],
    ) -> None:
        """Readiness fails first, then no more webhooks, no more points; the sends under way finish (or go back
        to the queue), the channels close; the caller then gives up the lead. Within STOP_SECONDS."""
        log.info("stopping: readiness, webhooks, the scheduler, then the sender (undelivered messages stay queued)")
        self.readiness.stopping = True
        stop.set()
        if self.http is not None:
            await self.http.stop()
        for task in tasks:  # the console and the Telegram retries
            task.cancel()
        if leading is not None:
            await asyncio.wait([leading], timeout=self.timing.parts_stop)  # the leader loop steps down on ``stop``
        self.scheduler.shutdown(wait=False)
        try:
            async with asyncio.timeout(self.timing.sender_grace):  # the task is cancelled with its awaiter
                await sender_task
        except TimeoutError:  # a send that hangs: its claim is released by the next instance at once
            log.warning(
                "the sender did not finish within %.0f s; its claims go back to the queue", self.timing.sender_grace
            )
        for bot in (self.telegram, self.zalo):
            if bot is not None:
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(self.timing.parts_stop):
                        await bot.stop()


class TelegramTokenRejected(Exception):
    """The Bot API refused the token (401): the service does not start (the message never holds the token)."""


async def _start_telegram(
    telegram: TelegramBot, stop: asyncio.Event, started: Callable[[], Awaitable[None]], timing: Timing
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
        delay = timing.telegram_retry
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await stop.wait()
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
            delay = min(delay * 2, timing.telegram_retry_cap)

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
    return ZaloBot(uows, client, channel, conversation, webhook)


async def _console(conversation: Conversation, stop: asyncio.Event) -> None:
    """The terminal of `make run`: the operator registers with /dangky CODE and can type every command."""
    await repl(conversation, CONSOLE_OPERATOR, sys.stdin, sys.stdout, Path("exports"))
    stop.set()
