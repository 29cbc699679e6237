"""People and their chat channels, for the dashboard: who is registered for which agency, and deactivating
someone who has left (they can no longer use the bot nor the dashboard; their history stays)."""

from __future__ import annotations

from datetime import datetime

from core.errors import NotAllowed
from core.repositories import UnitOfWork
from core.types import Actor, PersonListing, Role
from core.usecases.rules import require_admin


async def listing(uow: UnitOfWork, actor: Actor) -> list[PersonListing]:
    """Admins see everyone; anyone else the people of their own agency."""
    return await uow.accounts.people(None if actor.role is Role.ADMIN else actor.agency_id)


async def deactivate(uow: UnitOfWork, actor: Actor, person_id: int, now: datetime) -> bool:
    """Raises NotAllowed unless an admin, and for the admin's own person (ask another admin)."""
    require_admin(actor)
    if person_id == actor.person_id:
        raise NotAllowed("an admin cannot deactivate themselves")
    done = await uow.accounts.deactivate(person_id)
    if done:
        await uow.audit.record(actor.label, "deactivate_person", "person", person_id, at=now)
    return done
