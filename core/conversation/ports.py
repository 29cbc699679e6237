"""What the conversation core needs from the running service, besides the database.

``Notifier`` is fulfilled by the service: kick the outbox sender, re-derive the reminder jobs. It is
called after the event's unit of work has committed, never inside it.
"""

from __future__ import annotations

from typing import Protocol


class Notifier(Protocol):
    def deliveries_queued(self) -> None:
        """New rows are in the outbox: send them soon."""

    async def periods_changed(self) -> None:
        """Periods were added or changed: re-derive the reminder jobs."""
