"""Telegram's files: a document a person sends is fetched through the Bot API (``getFile``, then the file's URL).

The Bot API serves files of at most 20 MB to bots; the size is checked from ``getFile``'s answer before anything is
downloaded, and again on what arrived.
"""

from __future__ import annotations

from typing import Any

from core.ports import FileTooLarge


def file_base_url(base_url: str) -> str:
    """Where a Bot API server (``…/bot``) serves files (``…/file/bot``)."""
    return base_url.replace("/bot", "/file/bot")


class TelegramFiles:
    def __init__(self, bot: Any) -> None:
        self.bot = bot

    async def fetch(self, ref: str, limit: int) -> bytes:
        found = await self.bot.get_file(ref)
        if found.file_size is not None and found.file_size > limit:
            raise FileTooLarge(found.file_size)
        data = bytes(await found.download_as_bytearray())
        if len(data) > limit:
            raise FileTooLarge(len(data))
        return data
