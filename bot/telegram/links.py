"""Telegram deep links: a registration code as a link that opens the bot with /start CODE."""

from __future__ import annotations

from collections.abc import Callable


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


def invite_links(username: str | None) -> Callable[[str], str | None]:
    """What the conversation core uses to add a link to an invite (nothing without a bot username)."""
    if not username:
        return lambda code: None
    return lambda code: deep_link(username, code)
