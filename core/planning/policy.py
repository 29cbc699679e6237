"""Reminder policy: when before a deadline, at what time, and how overdue reports are chased."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import time
from typing import Any


class PolicyError(ValueError):
    """A policy that cannot be applied (the message says which field)."""


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    offsets_days: tuple[int, ...] = (7, 3, 1, 0)
    send_time: time = time(8, 0)
    work_start: time = time(7, 30)
    work_end: time = time(17, 0)
    overdue_every: int = 2  # working days between overdue reminders
    overdue_max: int = 3
    escalate_after: int = 3  # working days overdue before leaders are told
    leader_unseen_at: time | None = None  # on the deadline day, leaders hear of an agency that saw nothing

    def __post_init__(self) -> None:
        if not self.offsets_days or any(o < 0 or o > 366 for o in self.offsets_days):
            raise PolicyError("offsets_days: whole days from 0 to 366, at least one")
        if not self.work_start <= self.send_time < self.work_end:
            raise PolicyError("send_time must lie inside working hours")
        if self.leader_unseen_at is not None and not self.send_time < self.leader_unseen_at < self.work_end:
            raise PolicyError("leader_unseen_at must lie after send_time and inside working hours")
        if self.overdue_every < 1 or self.overdue_max < 0 or self.escalate_after < 1:
            raise PolicyError("overdue_every >= 1, overdue_max >= 0, escalate_after >= 1")

    def with_overrides(self, overrides: dict[str, Any] | None) -> ReminderPolicy:
        """This policy with a series' overrides (JSON values: times as "HH:MM", offsets as a list)."""
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        values: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in known:
                raise PolicyError(f"unknown policy field {name!r}")
            if name in ("send_time", "work_start", "work_end", "leader_unseen_at") and isinstance(value, str):
                value = time.fromisoformat(value)
            if name == "offsets_days":
                value = tuple(int(v) for v in value)
            values[name] = value
        return replace(self, **values)
