"""Small builders for test data that the plan file does not hold (people and their chat accounts)."""

from __future__ import annotations

from datetime import datetime

from core.deadlines import VN_TZ
from core.types import Role
from models import queries
from models import tables as t
from tests.conftest import Database

CREATED = datetime(2023, 3, 20, 9, 0, tzinfo=VN_TZ)


async def add_person(
    db: Database,
    agency_code: str,
    role: Role,
    name: str,
    chat_id: str | None = None,
    language: str = "vi",
    platform: str = "console",
) -> int:
    """A person with one chat account; returns the account id."""
    async with db.sessions.begin() as s:
        agency = await queries.agency_by_code(s, agency_code)
        assert agency is not None, agency_code
        person = t.Person(display_name=name, agency_id=agency.id, role=role.value, active=True, created_at=CREATED)
        s.add(person)
        await s.flush()
        account = t.ChatAccount(
            person_id=person.id,
            platform=platform,
            platform_user_id=chat_id or name,
            chat_id=chat_id or name,
            language=language,
            active=True,
            created_at=CREATED,
        )
        s.add(account)
        await s.flush()
        return account.id
