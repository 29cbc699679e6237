"""People and their chat channels, for the dashboard: who is registered for which agency, and deactivating
someone who has left (they can no longer use the bot nor the dashboard; their history stays)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core import vietnamese
from core.errors import NotAllowed
from core.repositories import UnitOfWork
from core.types import Actor, Agency, PersonListing, Role
from core.usecases.rules import require_admin


async def listing(uow: UnitOfWork, actor: Actor) -> list[PersonListing]:
    """Admins see everyone; anyone else the people of their own agency. By agency, then name, in Vietnamese
    alphabetical order (the database's order put "Bình" before "Bạch")."""
    found = await uow.accounts.people(None if actor.role is Role.ADMIN else actor.agency_id)
    return sorted(found, key=lambda p: (vietnamese.sort_key(p.agency_name), vietnamese.sort_key(p.name)))


@dataclass(frozen=True, slots=True)
class Unreached:
    """An agency that owes reports still to come and that no focal person can be reminded at."""

    agency: Agency
    blocked: bool  # it has focal people, but every account of theirs has stopped answering (blocked the bot)


async def unreached(uow: UnitOfWork, actor: Actor, now: datetime) -> list[Unreached]:
    """The agencies owing a report due from ``now`` on with no registered focal person who can be reached, in the
    office's order (departments, districts, communes and wards, others; each kind in its official order): the
    list Sở Nội vụ sends invites from (issue 29). Admins only.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
    """
    require_admin(actor)
    return await _unreached(uow, now)


async def _unreached(uow: UnitOfWork, now: datetime) -> list[Unreached]:
    periods = await uow.periods.all(due_from=now)
    owing: dict[int, Agency] = {}
    for rows in (await uow.periods.statuses([p.id for p in periods])).values():
        owing.update({r.agency.id: r.agency for r in rows})
    reachable = {r.agency_code for r in await uow.accounts.recipients(Role.FOCAL)}
    focal = {p.agency_code for p in await uow.accounts.people() if p.role is Role.FOCAL and p.active}
    found = [
        Unreached(a, a.code in focal)
        for a in owing.values()
        if a.active and a.ended_on is None and a.code not in reachable
    ]
    return sorted(found, key=lambda u: vietnamese.office_order(u.agency))


async def count_unreached(uow: UnitOfWork, now: datetime) -> int:
    """How many agencies ``unreached`` lists (for the admins' daily digest)."""
    return len(await _unreached(uow, now))


async def deactivate(uow: UnitOfWork, actor: Actor, person_id: int, now: datetime) -> bool:
    """Raises NotAllowed unless an admin, and for the admin's own person (ask another admin)."""
    require_admin(actor)
    if person_id == actor.person_id:
        raise NotAllowed("an admin cannot deactivate themselves")
    done = await uow.accounts.deactivate(person_id)
    if done:
        await uow.audit.record(actor.label, "deactivate_person", "person", person_id, at=now)
    return done
