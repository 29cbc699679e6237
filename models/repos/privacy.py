"""A person's data: what is held (/dulieu), erasing it (/xoadulieu, the dashboard, the CLI), and retention.

Erasure is structured where the schema knows the person (their row, accounts, invites, the messages sent to
them, sessions, choices) and textual everywhere else: the name, wherever a message, a notice, an audit detail or
a draft wrote it, becomes the placeholder. Every text and JSON column of every table is searched, so a column
added later is covered without this module knowing of it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Table, Text, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import (
    DeliveryStatus,
    Erased,
    HeldAccount,
    HeldSubmission,
    PersonalData,
    Platform,
    Role,
)
from models import tables as t
from models.base import Base

FINISHED = (DeliveryStatus.SENT.value, DeliveryStatus.FAILED.value, DeliveryStatus.BLOCKED.value)
ERASED_ERROR = "personal data erased"  # why a message still waiting was not sent


def searchable(name: str) -> bool:
    """Whether ``name`` is distinctive enough to replace wherever it is written: a full name of two words or
    more ("Trần Văn Xóa"). A single short word ("An") would also match inside other people's text."""
    return len(name.split()) >= 2 and len(name.strip()) >= 6


def _replaced(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replaced(v, old, new) for v in value]
    if isinstance(value, dict):
        return {_replaced(k, old, new): _replaced(v, old, new) for k, v in value.items()}
    return value


class SqlPersonalData:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def _person(self, person_id: int) -> tuple[t.Person, t.Agency, list[t.ChatAccount]] | None:
        """The person, their agency and their chat accounts (oldest first)."""
        row = (
            await self.s.execute(
                select(t.Person, t.Agency)
                .join(t.Agency, t.Agency.id == t.Person.agency_id)
                .where(t.Person.id == person_id)
            )
        ).first()
        if row is None:
            return None
        found = await self.s.scalars(select(t.ChatAccount).where(t.ChatAccount.person_id == person_id).order_by("id"))
        return row[0], row[1], list(found.all())

    async def held(self, person_id: int) -> PersonalData | None:
        found = await self._person(person_id)
        if found is None:
            return None
        person, agency, accounts = found
        ids = [a.id for a in accounts]
        # Reminders go to the preferred account, else the oldest one (as ``SqlAccounts.recipients`` picks).
        open_ = sorted(
            (a for a in accounts if a.active and a.blocked_at is None), key=lambda a: (not a.preferred, a.id)
        )
        receiving = open_[0].id if open_ else None
        sent, kept, acknowledged = (
            await self.s.execute(
                select(
                    func.count(t.Delivery.sent_at),
                    func.count(t.Delivery.id).filter(t.Delivery.sent_at.is_not(None), t.Delivery.text != ""),
                    func.count(t.Delivery.acknowledged_at),
                ).where(t.Delivery.account_id.in_(ids))
            )
        ).one()
        submissions = (
            await self.s.execute(
                select(t.ReportPeriod.label, t.Submission.confirmed_at, t.Submission.undone_at)
                .join(t.ReportPeriod, t.ReportPeriod.id == t.Submission.period_id)
                .where(t.Submission.confirmed_by_person_id == person_id)
                .order_by(t.Submission.confirmed_at)
            )
        ).all()
        sign_ins = await self.s.scalar(select(func.count()).where(t.WebSession.account_id.in_(ids))) or 0
        return PersonalData(
            person.id,
            person.display_name,
            person.title,
            agency.name,
            Role(person.role),
            person.active,
            person.created_at,
            tuple(
                HeldAccount(
                    Platform(a.platform),
                    a.language,
                    a.id == receiving,
                    a.active,
                    a.blocked_at is not None,
                    a.created_at,
                )
                for a in accounts
            ),
            int(sent),
            int(kept),
            int(acknowledged),
            tuple(HeldSubmission(label, at, undone is not None) for label, at, undone in submissions),
            int(sign_ins),
        )

    async def erase(self, person_id: int, placeholder: str, now: datetime) -> Erased | None:
        found = await self._person(person_id)
        if found is None:
            return None
        person, agency, accounts = found
        name = person.display_name
        ids = [a.id for a in accounts]
        # Codes issued in the person's name and never used were meant for them: they end with the erasure.
        await self.s.execute(
            update(t.Invite)
            .where(t.Invite.person_name == name, t.Invite.used_at.is_(None), t.Invite.expires_at > now)
            .values(expires_at=now)
        )
        await self.s.execute(
            update(t.Invite).where(t.Invite.person_name == name).values(person_name=None, person_title=None)
        )
        rewritten = await self._replace_everywhere(name, placeholder) if searchable(name) else 0
        for a in accounts:
            # What they wrote, kept until answered (Zalo), carries their identifiers and nickname.
            await self.s.execute(
                delete(t.InboundUpdate).where(
                    t.InboundUpdate.platform == a.platform, t.InboundUpdate.chat_id == a.chat_id
                )
            )
            # The audit names a stranger by platform and user id until they register; the erased account is
            # named by its row from now on.
            await self.s.execute(
                update(t.AuditLog)
                .where(t.AuditLog.actor == f"{a.platform}:{a.platform_user_id}")
                .values(actor=f"account:{a.id}")
            )
            a.platform_user_id = a.chat_id = f"erased:{a.id}"
            a.active = False
            a.preferred = False
        person.display_name = placeholder
        person.title = ""
        person.active = False
        person.erased_at = now
        await self.s.execute(
            update(t.Invite)
            .where(or_(t.Invite.person_id == person_id, t.Invite.used_by_account_id.in_(ids)))
            .values(person_name=None, person_title=None)
        )
        await self.s.execute(
            update(t.Delivery)
            .where(t.Delivery.account_id.in_(ids), t.Delivery.status.not_in(FINISHED))
            .values(status=DeliveryStatus.FAILED.value, last_error=ERASED_ERROR)
        )
        cleared = await self.s.execute(
            update(t.Delivery).where(t.Delivery.account_id.in_(ids), t.Delivery.text != "").values(text="")
        )
        ended = await self.s.execute(
            update(t.WebSession)
            .where(t.WebSession.account_id.in_(ids), t.WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await self.s.execute(
            update(t.WebLogin).where(t.WebLogin.account_id.in_(ids), t.WebLogin.used_at.is_(None)).values(used_at=now)
        )
        await self.s.execute(delete(t.PendingChoice).where(t.PendingChoice.account_id.in_(ids)))
        await self.s.execute(delete(t.ConversationState).where(t.ConversationState.account_id.in_(ids)))
        await self.s.flush()
        return Erased(
            person_id,
            agency.code,
            len(ids),
            int(cleared.rowcount or 0),  # type: ignore[attr-defined]
            int(ended.rowcount or 0),  # type: ignore[attr-defined]
            rewritten,
        )

    async def _replace_everywhere(self, old: str, new: str) -> int:
        """Replace ``old`` by ``new`` in every text and JSON column of every table; how many rows changed."""
        changed = 0
        escaped = json.dumps(old)[1:-1]  # how JSON columns store it ("Tr\\u1ea7n …")
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, JSON):
                    changed += await self._replace_json(table, column.name, old, new, escaped)
                elif isinstance(column.type, String | Text) and not column.primary_key:
                    value = func.replace(column, old, new)
                    if getattr(column.type, "length", None):
                        value = func.substr(value, 1, column.type.length)
                    result = await self.s.execute(
                        update(table).where(column.contains(old, autoescape=True)).values({column.name: value})
                    )
                    changed += int(result.rowcount or 0)  # type: ignore[attr-defined]
        return changed

    async def _replace_json(self, table: Table, name: str, old: str, new: str, escaped: str) -> int:
        column = table.c[name]
        as_text = cast(column, Text)
        keys: Sequence[Any] = list(table.primary_key.columns)
        found = await self.s.execute(
            select(*keys, column).where(
                or_(as_text.contains(old, autoescape=True), as_text.contains(escaped, autoescape=True))
            )
        )
        changed = 0
        for row in found.all():
            *pk, value = row
            await self.s.execute(
                update(table)
                .where(*(k == v for k, v in zip(keys, pk, strict=True)))
                .values({name: _replaced(value, old, new)})
            )
            changed += 1
        return changed

    async def clear_texts(self, before: datetime) -> int:
        result = await self.s.execute(
            update(t.Delivery)
            .where(t.Delivery.created_at < before, t.Delivery.status.in_(FINISHED), t.Delivery.text != "")
            .values(text="")
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def drop_audit(self, before: datetime) -> int:
        result = await self.s.execute(delete(t.AuditLog).where(t.AuditLog.at < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
