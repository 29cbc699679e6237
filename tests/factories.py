"""Small builders for test data that the plan file does not hold (people and their chat accounts)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime, timedelta

from core.deadlines import VN_TZ, utcnow
from core.planfile import AgencySpec
from core.types import OPERATOR, DeliveryKind, NewDelivery, Platform, Priority, Role, Sender
from core.usecases import accounts, plan, submissions
from core.usecases.rules import Rules
from models import tables
from models.db import make_engine, session_factory
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
    return (await add_people(db, agency_code, role, [(name, chat_id or name)], language, platform))[0]


async def add_people(
    db: Database,
    agency_code: str,
    role: Role,
    people: list[tuple[str, str]],
    language: str = "vi",
    platform: str = "console",
) -> list[int]:
    """Several people of one agency, each with one account (name, chat id); one transaction."""
    ids = []
    async with db.uows() as uow:
        agency = await uow.agencies.by_code(agency_code)
        assert agency is not None, agency_code
        for name, chat_id in people:
            person_id = await uow.accounts.add_person(name, agency.id, role, CREATED)
            sender = Sender(Platform(platform), chat_id, chat_id, name)
            account_id = await uow.accounts.add_account(person_id, sender, CREATED)
            if language != "vi":
                await uow.accounts.set_language(account_id, language)
            ids.append(account_id)
        await uow.commit()
    return ids


async def invite_code(
    db: Database, agency_code: str, role: Role = Role.FOCAL, valid: timedelta = timedelta(days=7)
) -> str:
    """A registration code, as the operator's `nhacviec invite` makes it."""
    async with db.uows() as uow:
        inv = await accounts.create_invite(uow, OPERATOR, agency_code, role, utcnow(), Rules(invite_ttl=valid))
        await uow.commit()
    return inv.code


async def submit(db: Database, agency_code: str, ref: str, at: datetime, document_number: str | None = None) -> bool:
    """Record a submission as the operator's `nhacviec submit` does; returns whether it was late."""
    async with db.uows() as uow:
        agency = await plan.agency(uow, agency_code)
        period = await plan.period(uow, ref, at)
        receipt = await submissions.submit(uow, OPERATOR, agency.id, period.id, at, Rules(), document_number)
        await uow.commit()
    return receipt.late


async def queue_messages(db: Database, chats: range, platform: Platform = Platform.TELEGRAM, tag: str = "tin") -> None:
    """One focal person of Sở Tư pháp per chat id, each with one pending message "<tag> <chat>" (a fan-out)."""
    now = utcnow()
    async with db.uows() as uow:
        agency = await uow.agencies.by_code("STP")
        assert agency is not None
        items = []
        for chat in chats:
            person = await uow.accounts.add_person(f"Cán bộ {chat}", agency.id, Role.FOCAL, CREATED)
            account = await uow.accounts.add_account(person, Sender(platform, str(chat), str(chat), "x"), CREATED)
            items.append(NewDelivery(f"{tag}:{chat}", account, DeliveryKind.DUE, f"{tag} {chat}", Priority.NORMAL))
        await uow.outbox.enqueue(items, now)
        await uow.commit()


def queue_messages_now(db: Database, chats: range, platform: Platform = Platform.TELEGRAM, tag: str = "tin") -> None:
    """``queue_messages`` from a test that is not a coroutine (its own engine, its own loop)."""

    async def go() -> None:
        engine = make_engine(db.url, db.schema)
        try:
            await queue_messages(Database(db.url, db.schema, engine, session_factory(engine)), chats, platform, tag)
        finally:
            await engine.dispose()

    asyncio.run(go())


async def add_agencies(db: Database, agencies: Iterable[AgencySpec]) -> None:
    """The registry alone, as a province's list of agencies gives it: no plan, no tasks."""
    async with db.sessions() as session, session.begin():
        session.add_all(tables.Agency(code=a.code, name=a.name, kind=a.kind.value, active=a.active) for a in agencies)
