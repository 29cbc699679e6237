"""`nhacviec run`: one process with the scheduler, the outbox sender, the conversation core and the channels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.console.channel import ConsoleChannel
from bot.console.repl import repl
from core.conversation.engine import Conversation
from core.conversation.events import Sender
from core.deadlines import VN_TZ
from core.ports import Channel
from core.types import Platform, Role
from models import db
from models.chat_store import SqlChatStore
from nhacviec.config import Settings
from nhacviec.notifier import ServiceNotifier
from scheduler.calendar import load_calendar
from scheduler.engine import ReminderEngine
from scheduler.policy import ReminderPolicy
from scheduler.sender import OutboxSender

if TYPE_CHECKING:
    from bot.zalo.app import ZaloBot

log = logging.getLogger("nhacviec")
CONSOLE_OPERATOR = Sender(Platform.CONSOLE, "operator", "operator", "Người dùng máy chủ")


def policy_from(settings: Settings) -> ReminderPolicy:
    return ReminderPolicy(
        offsets_days=tuple(settings.reminder_offsets_days),
        send_time=settings.reminder_send_time,
        work_start=settings.working_hours_start,
        work_end=settings.working_hours_end,
        overdue_every=settings.overdue_every_working_days,
        overdue_max=settings.overdue_max_reminders,
        escalate_after=settings.escalate_after_working_days,
    )


def make_conversation(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], notifier: ServiceNotifier
) -> tuple[Conversation, SqlChatStore]:
    store = SqlChatStore(sessions, timedelta(days=settings.invite_default_days))
    return Conversation(store, notifier, settings.telegram_bot_username), store


async def run_service(settings: Settings, stop: asyncio.Event | None = None, interactive: bool | None = None) -> None:
    """Run until SIGINT/SIGTERM (or ``stop``); undelivered messages stay queued in the database."""
    from bot.telegram.app import TelegramBot, WebhookConfig  # imported here: the CLI starts faster without it

    engine = db.make_engine(settings.database_url, settings.database_schema)
    await db.require_current_schema(engine)
    sessions = db.session_factory(engine)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)

    channels: dict[str, Channel] = {"console": ConsoleChannel()}
    sender = OutboxSender(sessions, channels)
    scheduler = AsyncIOScheduler(timezone=VN_TZ)
    reminders = ReminderEngine(
        sessions,
        policy_from(settings),
        load_calendar(settings.calendar_file),
        sender,
        scheduler,
        grace=timedelta(hours=settings.missed_grace_hours),
    )
    notifier = ServiceNotifier(sender, reminders)
    conversation, store = make_conversation(settings, sessions, notifier)
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
            lambda: store.chat_ids(Platform.TELEGRAM.value, Role.ADMIN),
            settings.telegram_api_base_url,
            webhook,
        )
        from bot.telegram.channel import TelegramChannel

        channels["telegram"] = TelegramChannel(telegram.bot)
    zalo = None
    if settings.zalo_configured:
        zalo = _zalo(settings, sessions, conversation)
        channels["zalo"] = zalo.channel
    sender.channels = dict(channels)

    scheduler.start()
    sender_task = asyncio.create_task(sender.run(stop))
    tasks = [sender_task]
    try:
        await reminders.start()
        if telegram is not None:
            await telegram.start()
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
        await engine.dispose()


def _zalo(settings: Settings, sessions: async_sessionmaker[AsyncSession], conversation: Conversation) -> ZaloBot:
    from bot.zalo.app import ZaloBot, ZaloWebhookConfig
    from bot.zalo.channel import ZaloChannel
    from bot.zalo.client import ZaloClient
    from models.usage import UsageMeter

    assert settings.zalo_bot_token is not None
    client = ZaloClient(settings.zalo_bot_token.get_secret_value(), settings.zalo_api_base_url)
    channel = ZaloChannel(client, UsageMeter(sessions, Platform.ZALO.value, settings.zalo_monthly_quota))
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
