"""What the use-cases need besides the database: reminder policy, working-day calendar, lifetimes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from core.errors import NotAllowed
from core.planning.calendar import WorkCalendar
from core.planning.policy import ReminderPolicy
from core.types import Actor, Role


@dataclass(frozen=True)
class Rules:
    policy: ReminderPolicy = field(default_factory=ReminderPolicy)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    invite_ttl: timedelta = timedelta(days=7)
    link_ttl: timedelta = timedelta(hours=24)
    undo_window: timedelta = timedelta(hours=24)


def require_admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise NotAllowed("for Sở Nội vụ admins only")
