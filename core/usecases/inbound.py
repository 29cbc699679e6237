"""Incoming updates are handled once, though a platform may send one again (a webhook it retried, an update
that reached two instances). The update is recorded in the unit of work that handles it."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.deadlines import start_of_day, to_vn
from core.repositories import UnitOfWork
from core.types import Actor, Platform, Sender, SetAside
from core.usecases.rules import require_admin

STRANGER_REPLIES = 10  # replies one unregistered sender gets in STRANGER_WINDOW (wrong codes too); then none
STRANGER_WINDOW = timedelta(hours=1)
STRANGERS_AN_HOUR = 60  # replies to all strangers of one platform together within STRANGER_WINDOW …
STRANGERS_A_MONTH = 300  # … and in a calendar month: a tenth of Zalo's free 3,000
SET_ASIDE_KEPT = timedelta(days=30)  # an update that could not be answered, for an admin to look into
KEEP = timedelta(days=3)  # platforms retry for hours at most (Telegram keeps undelivered updates 24 hours)
MAX_KEY = 128


async def set_aside(uow: UnitOfWork, actor: Actor, limit: int = 200) -> list[SetAside]:
    """The incoming messages given up after their attempts (a poison update), newest first, for an admin.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
    """
    require_admin(actor)
    return await uow.inbox.set_aside_list(limit)


async def first_time(uow: UnitOfWork, platform: Platform, key: str | None, now: datetime) -> bool:
    """Record the update in this unit of work; False if it was handled before (no key: always True)."""
    if not key:
        return True
    return await uow.updates.add(platform, key[:MAX_KEY], now)


async def forget_old(uow: UnitOfWork, now: datetime) -> int:
    """Drop the record of updates older than ``KEEP`` and of kept updates answered before then; returns how many."""
    return await uow.updates.prune(now - KEEP) + await uow.inbox.prune(now - KEEP, now - SET_ASIDE_KEPT)


async def may_answer_stranger(uow: UnitOfWork, sender: Sender, now: datetime) -> bool:
    """Whether someone not registered gets this reply: ``STRANGER_REPLIES`` within ``STRANGER_WINDOW`` per sender,
    counted in the database (every instance sees the same count); a reply given is recorded in this unit of work.
    A stranger writing in a loop would otherwise spend a platform's monthly quota (issue 24, finding 2)."""
    who = f"{sender.platform.value}:{sender.user_id}"
    if await uow.audit.count(who, "stranger_reply", now - STRANGER_WINDOW) >= STRANGER_REPLIES:
        return False
    # All strangers together (issue 28, finding 6: 30 accounts × 10 got 253 replies in 51 s): an hour's and a
    # month's share of the platform, whoever they are.
    everyone = f"{sender.platform.value}:"
    if await uow.audit.count(everyone, "stranger_reply", now - STRANGER_WINDOW, prefix=True) >= STRANGERS_AN_HOUR:
        return False
    month_start = start_of_day(to_vn(now).date().replace(day=1))
    if await uow.audit.count(everyone, "stranger_reply", month_start, prefix=True) >= STRANGERS_A_MONTH:
        return False
    await uow.audit.record(who, "stranger_reply", "chat", None, at=now)
    return True
