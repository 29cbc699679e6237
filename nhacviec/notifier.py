"""The Notifier port as the running service fulfils it: wake the outbox sender, re-derive reminder jobs."""

from __future__ import annotations

from scheduler.engine import ReminderEngine
from scheduler.sender import OutboxSender


class ServiceNotifier:
    def __init__(self, sender: OutboxSender, engine: ReminderEngine | None = None) -> None:
        self.sender = sender
        self.engine = engine

    def deliveries_queued(self) -> None:
        self.sender.kick()

    async def periods_changed(self) -> None:
        if self.engine is not None and self.engine.scheduler.running:
            await self.engine.reschedule()
