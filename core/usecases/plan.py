"""Reading a plan: agencies, tasks, periods, and what one agency owes."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.errors import AgencyUnknown, PeriodUnknown
from core.planfile import ImportReport, PlanSpec
from core.repositories import UnitOfWork
from core.types import Actor, Agency, AgencyPeriod, AssignedTask, Period, TaskListing
from core.usecases.rules import require_admin

UPCOMING = timedelta(days=45)  # /hanbaocao shows periods opening within this
RECENT = timedelta(days=62)  # …and those due this long ago that are not yet sent
HISTORY = timedelta(days=3660)


async def import_plan(uow: UnitOfWork, actor: Actor, spec: PlanSpec) -> ImportReport:
    require_admin(actor)
    return await uow.agencies.import_plan(spec, actor.label)


async def agencies(uow: UnitOfWork, include_inactive: bool = False) -> list[Agency]:
    return await uow.agencies.all(include_inactive)


async def agency(uow: UnitOfWork, code: str) -> Agency:
    found = await uow.agencies.by_code(code)
    if found is None:
        raise AgencyUnknown(code[:32])
    return found


async def tasks_of(uow: UnitOfWork, agency_id: int) -> list[AssignedTask]:
    return await uow.agencies.tasks_of(agency_id)


async def all_tasks(uow: UnitOfWork) -> list[TaskListing]:
    return await uow.agencies.all_tasks()


async def periods(uow: UnitOfWork, due_from: datetime | None = None, due_to: datetime | None = None) -> list[Period]:
    return await uow.periods.all(due_from, due_to)


async def period(uow: UnitOfWork, ref: str | None, now: datetime) -> Period:
    """A period by key, series:key or label; without ``ref`` the most recently due one."""
    found = await uow.periods.find(ref or None, now)
    if found is None:
        raise PeriodUnknown((ref or "")[:64])
    return found


async def deadlines(uow: UnitOfWork, agency_id: int, now: datetime) -> list[AgencyPeriod]:
    """Periods of the agency still to watch: not sent yet (recently due or coming), or due ahead."""
    found = await uow.periods.of_agency(agency_id, now - RECENT, now + UPCOMING)
    return [p for p in found if p.submitted_at is None or p.period.due_at >= now]


async def owed(uow: UnitOfWork, agency_id: int, now: datetime) -> list[AgencyPeriod]:
    """Periods the agency can confirm now: open and not yet sent."""
    found = await uow.periods.of_agency(agency_id, now - RECENT, now + UPCOMING)
    return [p for p in found if p.submitted_at is None and p.period.opens_at <= now]


async def owed_period(uow: UnitOfWork, agency_id: int, ref: str, now: datetime) -> AgencyPeriod | None:
    """The period ``ref`` names (key, series:key or label), if the agency can confirm it now."""
    found = await uow.periods.find(ref, now)
    if found is None:
        return None
    return next((p for p in await owed(uow, agency_id, now) if p.period.id == found.id), None)


async def history(uow: UnitOfWork, agency_id: int, now: datetime) -> list[AgencyPeriod]:
    """The agency's periods due so far (or already sent)."""
    found = await uow.periods.of_agency(agency_id, now - HISTORY, now)
    return [p for p in found if p.period.due_at <= now or p.submitted_at is not None]
