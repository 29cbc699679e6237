"""A platform's monthly message quota (Zalo: 3,000 a month free), counted in the database.

``QuotaGate`` is the core's ``SendQuota`` port: a channel asks it before sending and tells it after.
Near the limit, low-priority messages (digests, notices) wait so reminders and escalations still go;
admins are warned once at each threshold, through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from core import keys, messages
from core.deadlines import start_of_day, to_vn, utcnow
from core.i18n import gettext_for as messages_for
from core.ports import ChannelUnavailableError
from core.repositories import UnitOfWork, UnitOfWorkFactory
from core.types import PRIORITY_OF, DeliveryKind, NewDelivery, Platform, Priority, Role

THRESHOLDS = (80, 95)
RESERVE_PERCENT = 95  # the last 5 % of the month's allowance is kept for reminders and escalations


def over_forecast(lang: str, month: str, expected: int, quota: int, reserve_percent: int = RESERVE_PERCENT) -> str:
    """The warning for a month whose expected Zalo messages exceed the allowance less its reserve, or ""."""
    limit = quota * reserve_percent // 100
    if expected <= limit:
        return ""
    year, number = month.split("-")
    return messages_for(lang).gettext(
        "Month %(month)s: about %(expected)d Zalo messages are expected, more than the %(limit)d the month allows "
        "(%(quota)d less the reserve kept for reminders). Ask more people to receive reminders on Telegram, or raise "
        "the quota with Zalo, before the month begins."
    ) % {"month": f"{int(number)}/{year}", "expected": expected, "limit": limit, "quota": quota}


def month_of(now: datetime) -> str:
    return f"{to_vn(now):%Y-%m}"


def next_month_start(now: datetime) -> datetime:
    local = to_vn(now).date()
    first = date(local.year + 1, 1, 1) if local.month == 12 else date(local.year, local.month + 1, 1)
    return start_of_day(first)


class QuotaGate:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        platform: Platform,
        quota: int,
        reserve_percent: int = RESERVE_PERCENT,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.uows = uows
        self.platform = platform
        self.quota = quota
        self.reserve_percent = reserve_percent
        self.clock = clock

    async def used(self) -> int:
        async with self.uows() as uow:
            return await uow.usage.used(self.platform, month_of(self.clock()))

    async def reserve(self, parts: int, priority: Priority) -> None:
        """Take ``parts`` from the month's allowance, or raise ChannelUnavailableError (until the 1st of next month).
        Low-priority messages (digests, strangers' replies) may not take the last ``100 - reserve_percent`` %,
        kept for reminders. The check and the count are one locked step in the database: several sends in flight
        (and several instances) cannot together overshoot the quota (issue 28, finding 6). Warns the admins when
        80 % or 95 % is crossed."""
        now = self.clock()
        low = priority >= Priority.LOW
        limit = self.quota * self.reserve_percent // 100 if low else self.quota
        async with self.uows() as uow:
            taken = await self._take(uow, parts, limit, now)
            await uow.commit()
        if taken is None:
            used = await self.used()
            why = "quota kept for reminders" if low and used + parts <= self.quota else "monthly quota spent"
            raise ChannelUnavailableError(f"{self.platform.value} {why} ({used}/{self.quota})", next_month_start(now))

    async def release(self, n: int) -> None:
        if n > 0:
            async with self.uows() as uow:
                await uow.usage.give_back(self.platform, month_of(self.clock()), n)
                await uow.commit()

    def resets_at(self) -> datetime:
        return next_month_start(self.clock())

    async def _take(self, u: UnitOfWork, n: int, limit: int, now: datetime) -> int | None:
        month = month_of(now)
        found = await u.usage.take(self.platform, month, n, limit)
        if found is None:
            return None
        total, warned = found
        percent = total * 100 // self.quota if self.quota else 0
        crossed = [p for p in THRESHOLDS if warned < p <= percent]
        if crossed:
            level = crossed[-1]
            await u.usage.set_warned(self.platform, month, level)
            key = keys.quota(self.platform.value, month, level)
            await u.outbox.enqueue(
                [
                    NewDelivery(
                        keys.for_account(key, r.account_id),
                        r.account_id,
                        DeliveryKind.QUOTA,
                        messages.quota_warning(
                            r.language, r.person_name, self.platform.value, total, self.quota, level
                        ),
                        PRIORITY_OF[DeliveryKind.QUOTA],
                    )
                    for r in await u.accounts.recipients(Role.ADMIN)
                ],
                now,
            )
        return total
