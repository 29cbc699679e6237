"""Plan drafts and the documents they were read from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.types import KeptDraft
from models import tables as t


def _kept(row: t.PlanDraft, with_text: bool = True) -> KeptDraft:
    return KeptDraft(
        id=row.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        filename=row.filename,
        format=row.format,
        size=row.size,
        text=row.text if with_text else "",
        draft=dict(row.draft) if with_text else {},
        plan_number=row.plan_number,
        imported_at=row.imported_at,
    )


class SqlDrafts:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(
        self,
        actor: str,
        filename: str | None,
        format: str | None,
        content: bytes | None,
        text: str,
        draft: dict[str, Any],
        plan_number: str | None,
        now: datetime,
    ) -> int:
        row = t.PlanDraft(
            created_at=now,
            updated_at=now,
            created_by=actor[:255],
            filename=filename,
            format=format,
            content=content,
            size=len(content or b""),
            text=text,
            draft=draft,
            plan_number=plan_number,
        )
        self.s.add(row)
        await self.s.flush()
        return row.id

    async def get(self, draft_id: int) -> KeptDraft | None:
        row = await self.s.get(t.PlanDraft, draft_id)
        return _kept(row) if row else None

    async def save(self, draft_id: int, draft: dict[str, Any], now: datetime, version: datetime | None = None) -> bool:
        query = update(t.PlanDraft).where(t.PlanDraft.id == draft_id)
        if version is not None:
            query = query.where(t.PlanDraft.updated_at == version)
        result = await self.s.execute(query.values(draft=draft, updated_at=now))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def imported(self, draft_id: int, plan_number: str, now: datetime) -> None:
        await self.s.execute(
            update(t.PlanDraft)
            .where(t.PlanDraft.id == draft_id)
            .values(plan_number=plan_number, imported_at=now, updated_at=now)
        )

    async def document(self, draft_id: int) -> tuple[str, str, bytes] | None:
        found = (
            await self.s.execute(
                select(t.PlanDraft.filename, t.PlanDraft.format, t.PlanDraft.content).where(t.PlanDraft.id == draft_id)
            )
        ).first()
        if found is None or found.content is None or found.filename is None:
            return None
        return found.filename, found.format or "", found.content

    async def of_plan(self, plan_number: str) -> list[KeptDraft]:
        rows = (
            await self.s.scalars(
                select(t.PlanDraft)
                .where(t.PlanDraft.plan_number == plan_number, t.PlanDraft.imported_at.is_not(None))
                .order_by(t.PlanDraft.imported_at.desc(), t.PlanDraft.id.desc())
            )
        ).all()
        return [_kept(r, with_text=False) for r in rows]
