"""Incoming updates are handled once, though a platform may send one again (a webhook it retried, an update
that reached two instances). The update is recorded in the unit of work that handles it."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.repositories import UnitOfWork
from core.types import Platform

KEEP = timedelta(days=3)  # platforms retry for hours at most (Telegram keeps undelivered updates 24 hours)
MAX_KEY = 128


async def first_time(uow: UnitOfWork, platform: Platform, key: str | None, now: datetime) -> bool:
    """Record the update in this unit of work; False if it was handled before (no key: always True)."""
    if not key:
        return True
    return await uow.updates.add(platform, key[:MAX_KEY], now)


async def forget_old(uow: UnitOfWork, now: datetime) -> int:
    """Drop the record of updates older than ``KEEP``; returns how many."""
    return await uow.updates.prune(now - KEEP)
