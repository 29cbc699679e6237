"""Command menus (setMyCommands) in Vietnamese and English; admin commands only in admins' chats."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from core.i18n import gettext_for


def user_commands(lang: str) -> list[BotCommand]:
    tr = gettext_for(lang)
    return [
        BotCommand("nhiemvu", tr.gettext("Tasks the plan assigns to my agency")),
        BotCommand("hanbaocao", tr.gettext("Report deadlines and status")),
        BotCommand("danop", tr.gettext("Confirm a report has been sent")),
        BotCommand("huynop", tr.gettext("Undo a confirmation (24 hours)")),
        BotCommand("trangthai", tr.gettext("My agency's reporting history")),
        BotCommand("ngonngu", tr.gettext("Language")),
        BotCommand("huongdan", tr.gettext("Help")),
    ]


def admin_commands(lang: str) -> list[BotCommand]:
    tr = gettext_for(lang)
    return [
        *user_commands(lang),
        BotCommand("tonghop", tr.gettext("Who has and has not reported")),
        BotCommand("nhacnho", tr.gettext("Remind the agencies that have not reported")),
        BotCommand("thongbao", tr.gettext("Send a notice")),
        BotCommand("thongbao_ds", tr.gettext("Notices and who received them")),
        BotCommand("dotxuat", tr.gettext("Request an ad-hoc report")),
        BotCommand("xuat", tr.gettext("Excel workbook of compliance")),
        BotCommand("moi", tr.gettext("Create a registration code")),
    ]


async def set_menus(bot: Bot, admin_chat_ids: list[str]) -> None:
    """Menus are a convenience: permissions are still checked on every message."""
    await bot.set_my_commands(user_commands("vi"), scope=BotCommandScopeDefault())
    await bot.set_my_commands(user_commands("en"), scope=BotCommandScopeDefault(), language_code="en")
    for chat_id in admin_chat_ids:
        try:
            await bot.set_my_commands(admin_commands("vi"), scope=BotCommandScopeChat(int(chat_id)))
        except (TelegramError, ValueError):
            continue  # an admin who blocked the bot or a stale chat: the default menu is enough
