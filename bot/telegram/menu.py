"""Command menus (setMyCommands) from the command registry, in Vietnamese and English.

Everyone's commands are the default menu; admins' chats get everyone's plus the admin commands.
"""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from core.conversation.commands import menu_commands
from core.i18n import LANGUAGES, gettext_for


def commands(lang: str, admin: bool = False) -> list[BotCommand]:
    tr = gettext_for(lang)
    return [BotCommand(c.name, tr.gettext(c.menu_text)) for c in menu_commands(admin)]


async def set_menus(bot: Bot, admin_chat_ids: list[str]) -> None:
    """Menus are a convenience: permissions are still checked on every message."""
    for lang in LANGUAGES:
        code = None if lang == "vi" else lang  # Vietnamese is the menu of every language without its own
        await bot.set_my_commands(commands(lang), scope=BotCommandScopeDefault(), language_code=code)
    for chat_id in admin_chat_ids:
        try:
            for lang in LANGUAGES:
                code = None if lang == "vi" else lang
                await bot.set_my_commands(
                    commands(lang, admin=True), scope=BotCommandScopeChat(int(chat_id)), language_code=code
                )
        except (TelegramError, ValueError):
            continue  # an admin who blocked the bot or a stale chat: the default menu is enough
