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
from core.ports import ChannelUnavailableError
from core.repositories import Conflict, UnitOfWork, UnitOfWorkFactory
from core.types import PRIORITY_OF, DeliveryKind, NewDelivery, Platform, Priority, Role

THRESHOLDS = (80, 95)


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
        reserve_percent: int = 95,
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

    async def admit(self, parts: int, priority: Priority) -> None:
        """Raise ChannelUnavailableError (until the 1st of next month) if ``parts`` messages may not go now."""
        used, now = await self.used(), self.clock()
        until = next_month_start(now)
        if used + parts > self.quota:
            raise ChannelUnavailableError(f"{self.platform.value} monthly quota spent ({used}/{self.quota})", until)
        if priority >= Priority.LOW and used * 100 >= self.quota * self.reserve_percent:
            raise ChannelUnavailableError(
                f"{self.platform.value} quota kept for reminders ({used}/{self.quota})", until
            )

    def resets_at(self) -> datetime:
        return next_month_start(self.clock())

    async def record(self, n: int = 1) -> int:
        """Count ``n`` sent messages; warn the admins when 80 % or 95 % is crossed. Returns the month's total."""
        for _ in range(2):  # a second process may create the month's row at the same moment
            try:
                async with self.uows() as uow:
                    total = await self._record(uow, n)
                    await uow.commit()
                    return total
            except Conflict:
                continue
        raise RuntimeError("could not record channel usage")

    async def _record(self, u: UnitOfWork, n: int) -> int:
        now = self.clock()
        month = month_of(now)
        total, warned = await u.usage.add(self.platform, month, n)
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
