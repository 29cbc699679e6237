"""People and chat accounts."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import Account, ChatAccountInfo, PersonListing, Platform, Recipient, Role, Sender
from models import tables as t
from models.repos import rows


class SqlAccounts:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def by_sender(self, sender: Sender) -> Account | None:
        return await self._active(
            t.ChatAccount.platform == sender.platform.value, t.ChatAccount.platform_user_id == sender.user_id
        )

    async def people(self, agency_id: int | None = None) -> list[PersonListing]:
        q = (
            select(t.Person, t.Agency.code, t.Agency.name)
            .join(t.Agency, t.Agency.id == t.Person.agency_id)
            .order_by(t.Agency.name, t.Person.display_name, t.Person.id)
        )
        if agency_id is not None:
            q = q.where(t.Person.agency_id == agency_id)
        people = (await self.s.execute(q)).tuples().all()
        channels: dict[int, list[str]] = {}
        found = await self.s.execute(
            select(t.ChatAccount.person_id, t.ChatAccount.platform, t.ChatAccount.blocked_at)
            .where(t.ChatAccount.active.is_(True), t.ChatAccount.person_id.in_([p.id for p, _, _ in people]))
            .order_by(t.ChatAccount.id)
        )
        for person_id, platform, blocked_at in found.tuples().all():
            channels.setdefault(person_id, []).append(f"{platform} (blocked)" if blocked_at else platform)
        return [
            PersonListing(
                p.id,
                p.display_name,
                p.title,
                code,
                name,
                Role(p.role),
                p.active,
                tuple(channels.get(p.id, [])),
                p.erased_at is not None,
            )
            for p, code, name in people
        ]

    async def deactivate(self, person_id: int) -> bool:
        done = await self.s.execute(
            update(t.Person).where(t.Person.id == person_id, t.Person.active.is_(True)).values(active=False)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def by_id(self, account_id: int) -> Account | None:
        return await self._active(t.ChatAccount.id == account_id)

    async def _active(self, *which: ColumnElement[bool]) -> Account | None:
        row = (
            await self.s.execute(
                select(t.ChatAccount, t.Person, t.Agency)
                .join(t.Person, t.Person.id == t.ChatAccount.person_id)
                .join(t.Agency, t.Agency.id == t.Person.agency_id)
                .where(*which, t.ChatAccount.active.is_(True), t.Person.active.is_(True))
            )
        ).first()
        return rows.account(*row) if row else None

    async def is_registered(self, platform: Platform, user_id: str) -> bool:
        found = await self.s.scalar(
            select(t.ChatAccount.id).where(
                t.ChatAccount.platform == platform.value, t.ChatAccount.platform_user_id == user_id
            )
        )
        return found is not None

    async def add_person(self, name: str, agency_id: int, role: Role, now: datetime, title: str = "") -> int:
        person = t.Person(
            display_name=name, title=title, agency_id=agency_id, role=role.value, active=True, created_at=now
        )
        self.s.add(person)
        await self.s.flush()
        return person.id

    async def add_account(self, person_id: int, sender: Sender, now: datetime) -> int:
        acc = t.ChatAccount(
            person_id=person_id,
            platform=sender.platform.value,
            platform_user_id=sender.user_id,
            chat_id=sender.chat_id,
            language="vi",
            active=True,
            created_at=now,
        )
        self.s.add(acc)
        await self.s.flush()
        return acc.id

    async def accounts_of(self, person_id: int) -> list[ChatAccountInfo]:
        found = await self.s.execute(
            select(t.ChatAccount.id, t.ChatAccount.platform, t.ChatAccount.preferred)
            .where(t.ChatAccount.person_id == person_id, t.ChatAccount.active.is_(True))
            .order_by(t.ChatAccount.id)
        )
        return [ChatAccountInfo(int(a), Platform(p), bool(pref)) for a, p, pref in found.all()]

    async def set_language(self, account_id: int, language: str) -> None:
        await self.s.execute(update(t.ChatAccount).where(t.ChatAccount.id == account_id).values(language=language))

    async def set_preferred(self, person_id: int, account_id: int) -> None:
        await self.s.execute(
            update(t.ChatAccount)
            .where(t.ChatAccount.person_id == person_id)
            .values(preferred=(t.ChatAccount.id == account_id))
        )

    async def chat_ids(self, platform: Platform, role: Role) -> list[str]:
        found = await self.s.scalars(
            select(t.ChatAccount.chat_id)
            .join(t.Person, t.Person.id == t.ChatAccount.person_id)
            .where(
                t.ChatAccount.platform == platform.value,
                t.ChatAccount.active.is_(True),
                t.Person.active.is_(True),
                t.Person.role == role.value,
            )
        )
        return list(found.all())

    async def recipients(self, role: Role | None, agency_codes: Collection[str] | None = None) -> list[Recipient]:
        q = (
            select(
                t.ChatAccount.id,
                t.Person.display_name,
                t.Person.title,
                t.Agency.code,
                t.Agency.name,
                t.ChatAccount.language,
                t.Person.id,
                t.ChatAccount.platform,
            )
            .join(t.Person, t.Person.id == t.ChatAccount.person_id)
            .join(t.Agency, t.Agency.id == t.Person.agency_id)
            .where(t.Person.active.is_(True), t.ChatAccount.active.is_(True), t.ChatAccount.blocked_at.is_(None))
            .order_by(t.Agency.code, t.Person.id, t.ChatAccount.preferred.desc(), t.ChatAccount.id)
        )
        if role is not None:
            q = q.where(t.Person.role == role.value)
        if agency_codes is not None:
            q = q.where(t.Agency.code.in_(list(agency_codes)))
        seen: set[int] = set()
        out = []
        for account_id, name, title, code, agency_name, language, person_id, platform in (
            await self.s.execute(q)
        ).all():
            if person_id not in seen:
                seen.add(person_id)
                out.append(Recipient(account_id, rows.addressee(name, title), code, agency_name, language, platform))
        return out

    async def other_account(self, account_id: int, platforms: Collection[Platform]) -> tuple[int, Platform] | None:
        person_id = select(t.ChatAccount.person_id).where(t.ChatAccount.id == account_id).scalar_subquery()
        row = (
            await self.s.execute(
                select(t.ChatAccount.id, t.ChatAccount.platform)
                .where(
                    t.ChatAccount.person_id == person_id,
                    t.ChatAccount.id != account_id,
                    t.ChatAccount.active.is_(True),
                    t.ChatAccount.blocked_at.is_(None),
                    t.ChatAccount.platform.in_([p.value for p in platforms]),
                )
                .order_by(t.ChatAccount.preferred.desc(), t.ChatAccount.id)
                .limit(1)
            )
        ).first()
        return (int(row[0]), Platform(row[1])) if row else None

    async def same_person(self, account_a: int, account_b: int) -> bool:
        owners = (
            await self.s.scalars(select(t.ChatAccount.person_id).where(t.ChatAccount.id.in_([account_a, account_b])))
        ).all()
        return len(owners) >= 1 and len(set(owners)) == 1

    async def block(self, account_id: int, now: datetime) -> None:
        await self.s.execute(update(t.ChatAccount).where(t.ChatAccount.id == account_id).values(blocked_at=now))

    async def blocked_people(self) -> list[str]:
        found = (
            await self.s.execute(
                select(t.Person.display_name, t.Agency.name)
                .join(t.ChatAccount, t.ChatAccount.person_id == t.Person.id)
                .join(t.Agency, t.Agency.id == t.Person.agency_id)
                .where(t.ChatAccount.blocked_at.is_not(None), t.Person.active.is_(True))
                .order_by(t.Agency.name, t.Person.display_name)
            )
        ).all()
        return [f"{name} ({agency})" for name, agency in found]
