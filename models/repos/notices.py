"""Notices (broadcasts) and their acknowledgements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import DeliveryStatus, NoticeSummary
from models import tables as t


class SqlNotices:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(self, person_id: int | None, text: str, audience: dict[str, Any], now: datetime) -> int:
        notice = t.Notice(created_by_person_id=person_id, text=text, audience=audience, created_at=now)
        self.s.add(notice)
        await self.s.flush()
        return notice.id

    async def acknowledge(self, notice_id: int, account_id: int, now: datetime) -> bool:
        done = await self.s.execute(
            update(t.Delivery)
            .where(
                t.Delivery.notice_id == notice_id,
                t.Delivery.account_id == account_id,
                t.Delivery.acknowledged_at.is_(None),
            )
            .values(acknowledged_at=now)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def summaries(self, limit: int) -> list[NoticeSummary]:
        notices = (await self.s.scalars(select(t.Notice).order_by(t.Notice.id.desc()).limit(limit))).all()
        out = []
        for n in notices:
            found = (
                await self.s.execute(
                    select(t.Delivery.status, t.Delivery.acknowledged_at, t.Person.display_name, t.Agency.name)
                    .join(t.ChatAccount, t.ChatAccount.id == t.Delivery.account_id)
                    .join(t.Person, t.Person.id == t.ChatAccount.person_id)
                    .join(t.Agency, t.Agency.id == t.Person.agency_id)
                    .where(t.Delivery.notice_id == n.id)
                    .order_by(t.Agency.name, t.Person.display_name)
                )
            ).all()
            out.append(
                NoticeSummary(
                    id=n.id,
                    created_at=n.created_at,
                    text=n.text,
                    recipients=len(found),
                    delivered=sum(1 for r in found if r.status == DeliveryStatus.SENT.value),
                    acknowledged=sum(1 for r in found if r.acknowledged_at is not None),
                    not_acknowledged=tuple(f"{r.display_name} ({r.name})" for r in found if r.acknowledged_at is None),
                )
            )
        return out
