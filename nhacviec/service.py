"""`nhacviec run`: one process with the scheduler, the outbox sender, the conversation core and the channels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
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
from nhacviec.config import Settings
from nhacviec.notifier import ServiceNotifier
from nhacviec.wiring import Wiring, wired
from scheduler.engine import ReminderEngine
from scheduler.sender import OutboxSender

if TYPE_CHECKING:
    from bot.telegram.app import TelegramBot
    from bot.zalo.app import ZaloBot

log = logging.getLogger("nhacviec")
CONSOLE_OPERATOR = Sender(Platform.CONSOLE, "operator", "operator", "Người dùng máy chủ")


def make_conversation(
    settings: Settings, uows: UnitOfWorkFactory, notifier: ServiceNotifier, rules: Rules | None = None
) -> Conversation:
    return Conversation(uows, notifier, rules, invite_links(settings.telegram_bot_username))


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
        await sender.drain_once()


async def run_service(settings: Settings, stop: asyncio.Event | None = None, interactive: bool | None = None) -> None:
    """Run until SIGINT/SIGTERM (or ``stop``); undelivered messages stay queued in the database."""
    async with wired(settings) as w:
        await _serve(w, stop or asyncio.Event(), interactive)


async def _serve(w: Wiring, stop: asyncio.Event, interactive: bool | None) -> None:
    from bot.telegram.app import TelegramBot, WebhookConfig  # imported here: the CLI starts faster without it

    settings = w.settings
    check_catalogs()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)

    rules = w.rules()
    channels: dict[Platform, Channel] = {Platform.CONSOLE: ConsoleChannel()}
    sender = OutboxSender(w.uows, channels, concurrency=settings.outbox_concurrency)
    scheduler = AsyncIOScheduler(timezone=VN_TZ)
    reminders = ReminderEngine(w.uows, rules, sender, scheduler, grace=timedelta(hours=settings.missed_grace_hours))
    conversation = make_conversation(settings, w.uows, ServiceNotifier(sender, reminders), rules)
    telegram: TelegramBot | None = None
    if settings.telegram_configured:
        assert settings.telegram_bot_token is not None
        webhook = None
        if settings.telegram_webhook_url:
            if settings.telegram_webhook_secret is None:
                raise ValueError("TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL")
            webhook = WebhookConfig(
                settings.telegram_webhook_url,
                settings.telegram_webhook_secret.get_secret_value(),
                settings.telegram_webhook_listen,
                settings.telegram_webhook_port,
            )
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
    zalo = None
    if settings.zalo_configured:
        zalo = _zalo(settings, w.uows, conversation)
        channels[Platform.ZALO] = zalo.channel
    sender.channels = dict(channels)

    scheduler.start()
    sender_task = asyncio.create_task(sender.run(stop))
    tasks = [sender_task]
    try:
        await reminders.start()
        if telegram is not None:
            retrying = await _start_telegram(telegram, stop)
            if retrying is not None:
                tasks.append(retrying)
        if zalo is not None:
            await zalo.start()
        log.info("nhacviec is running with channels: %s", ", ".join(sorted(channels)))
        jobs = sorted((j for j in scheduler.get_jobs() if j.next_run_time), key=lambda j: j.next_run_time)
        if jobs:
            log.info("next job: %s at %s", jobs[0].id, jobs[0].next_run_time.isoformat())
        if interactive if interactive is not None else sys.stdin.isatty():
            tasks.append(asyncio.create_task(_console(conversation, stop)))
        await stop.wait()
    finally:
        log.info("stopping: channels, the scheduler, then the sender (undelivered messages stay queued)")
        stop.set()
        if telegram is not None:
            await telegram.stop()
        if zalo is not None:
            await zalo.stop()
        scheduler.shutdown(wait=False)
        await sender_task
        for task in tasks[1:]:
            task.cancel()


class TelegramTokenRejected(Exception):
    """The Bot API refused the token (401): the service does not start (the message never holds the token)."""


async def _start_telegram(telegram: TelegramBot, stop: asyncio.Event) -> asyncio.Task[None] | None:
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
                    log.info("Telegram is reachable again: polling for updates")
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
    if settings.zalo_webhook_url:
        if settings.zalo_webhook_secret is None:
            raise ValueError("ZALO_WEBHOOK_SECRET is required with ZALO_WEBHOOK_URL")
        webhook = ZaloWebhookConfig(
            settings.zalo_webhook_url,
            settings.zalo_webhook_secret.get_secret_value(),
            settings.zalo_webhook_listen,
            settings.zalo_webhook_port,
        )
    return ZaloBot(client, channel, conversation, webhook)


async def _console(conversation: Conversation, stop: asyncio.Event) -> None:
    """The terminal of `make run`: the operator registers with /dangky CODE and can type every command."""
    await repl(conversation, CONSOLE_OPERATOR, sys.stdin, sys.stdout, Path("exports"))
    stop.set()
