"""What the use-cases need besides the database: reminder policy, working-day calendar, lifetimes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from core.errors import NotAllowed
from core.planning.calendar import DayKind, WorkCalendar
from core.planning.policy import ReminderPolicy
from core.repositories import UnitOfWork
from core.standing import Deadlines
from core.types import Actor, Role


@dataclass(frozen=True)
class Rules:
    policy: ReminderPolicy = field(default_factory=ReminderPolicy)
    calendar: WorkCalendar = field(default_factory=WorkCalendar.shipped)
    invite_ttl: timedelta = timedelta(days=7)
    # A group's codes travel with an official letter through the document system: they last a month (issue 29).
    group_invite_ttl: timedelta = timedelta(days=30)
    link_ttl: timedelta = timedelta(minutes=10)
    undo_window: timedelta = timedelta(hours=24)
    admin_agency: str = "SNV"  # the agency that receives and compiles the reports: admins belong to it
    stored_days: bool = False  # True once the database's calendar days are laid over ``calendar``
    extend_day_off: bool = True  # Điều 148 BLDS: a deadline on a day off runs to the next working day
    # Personal data: who processes it (as the registration notice names it; "" = the admin agency's name),
    # how long message texts and the audit log are kept.
    data_controller: str = ""
    text_retention: timedelta = timedelta(days=180)
    audit_retention_years: int = 5
    # Reading an uploaded plan document: the box's wall-clock and CPU seconds, and its memory.
    reading_seconds: float = 30.0
    reading_memory_mb: int = 1024
    # The largest report file accepted, in MB (issue 32).
    file_limit_mb: int = 20

    @property
    def file_limit(self) -> int:
        return self.file_limit_mb * 1024 * 1024

    @property
    def deadlines(self) -> Deadlines:
        return Deadlines(self.calendar, self.extend_day_off)


def for_agency(actor: Actor, agency_id: int) -> bool:
    """Whether the actor may see and act for the agency: Sở Nội vụ's admins (and the operator) for any, everyone
    else for their own."""
    return actor.role is Role.ADMIN or actor.agency_id == agency_id


def require_admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise NotAllowed("for Sở Nội vụ admins only")


async def effective_rules(uow: UnitOfWork, rules: Rules) -> Rules:
    """``rules`` with the calendar days stored in the database laid over the configured calendar.

    Read in each unit of work, so a day Sở Nội vụ adds applies at once to every process.
    """
    if rules.stored_days:  # this unit of work read them already
        return rules
    stored = await uow.calendar.days()
    days = {d.day: DayKind(d.kind) for d in stored}
    return replace(rules, calendar=rules.calendar.with_days(days) if days else rules.calendar, stored_days=True)
