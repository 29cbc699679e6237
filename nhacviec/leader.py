"""Who leads among the instances: the leader runs the reminder scheduler and, in polling mode, the pollers.

Every ``every`` seconds each instance checks: the leader that its locks still hold (else it steps down
at once), the others whether the lead is free (then they take it). A leader that dies loses its lock
with its connection, so another instance leads within about ``every`` seconds plus its start. On
SQLite the one instance always leads (``models.instances``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from models.instances import Instance

log = logging.getLogger("nhacviec")


class LeaderLoop:
    def __init__(
        self,
        instance: Instance,
        elected: Callable[[], Awaitable[None]],
        deposed: Callable[[], Awaitable[None]],
        changed: Callable[[bool], None],
        every: float = 5.0,
        reopened: Callable[[int], None] = lambda instance_id: None,
    ) -> None:
        self.instance = instance
        self.elected, self.deposed, self.changed, self.reopened = elected, deposed, changed, reopened
        self.every = every
        self.leading = False
        self._started = False  # the leader's work started (a failed start is tried again)

    async def tick(self) -> None:
        if self.leading and not await self.instance.holds():
            log.warning("instance %d lost the lead (its database connection is gone)", self.instance.id)
            await self._step_down()
        if not self.leading:
            if not await self.instance.holds():
                await self.instance.open()  # after a lost connection: this instance's lock again
                self.reopened(self.instance.id)
            if await self.instance.try_lead():
                self.leading = True
                self.changed(True)
                log.info("instance %d leads: it runs the reminder scheduler and the pollers", self.instance.id)
        if self.leading and not self._started:
            await self.elected()
            self._started = True

    async def _step_down(self) -> None:
        self.leading = False
        self.changed(False)
        if self._started:
            self._started = False
            await self.deposed()

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``; then the leader steps down (its lock goes with the instance's close)."""
        while not stop.is_set():
            try:
                await self.tick()
            except Exception as exc:  # the database is away: try again next time
                log.warning("leadership check failed (%s); trying again in %.0f s", type(exc).__name__, self.every)
            with contextlib.suppress(TimeoutError):
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation arriving as the
                # event is set (the race found in the Zalo inbox), and the service's stop would wait for ever.
                async with asyncio.timeout(self.every):
                    await stop.wait()
        if self.leading:
            await self._step_down()
