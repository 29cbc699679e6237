"""The delivery outbox."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core import keys
from core.types import (
    BundlePart,
    ClaimedDelivery,
    DeliveryKind,
    DeliveryRecord,
    DeliveryStatus,
    NewDelivery,
    OutboxFigures,
    Platform,
    Priority,
    Reach,
    ReminderCopy,
    StoredDelivery,
)
from models import tables as t
from models.instances import live_instances

CHUNK = 500  # keys per IN (…) when looking for existing rows
REMINDER_KINDS = (
    DeliveryKind.BEFORE,
    DeliveryKind.DUE,
    DeliveryKind.OVERDUE,
    DeliveryKind.NUDGE,
    DeliveryKind.ADHOC,
)
COPY_KINDS = (*REMINDER_KINDS, DeliveryKind.ESCALATION, DeliveryKind.UNSEEN)  # leaders hold these


def _choices(raw: list[list[str]] | None) -> tuple[tuple[str, str], ...]:
    return tuple((str(label), str(token)) for label, token in (raw or []))


class SqlOutbox:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def enqueue(self, items: Sequence[NewDelivery], now: datetime) -> int:
        if not items:
            return 0
        keys = [i.dedup_key for i in items]
        existing: set[str] = set()
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            existing |= set(
                (await self.s.scalars(select(t.Delivery.dedup_key).where(t.Delivery.dedup_key.in_(chunk)))).all()
            )
        fresh = list({i.dedup_key: i for i in items if i.dedup_key not in existing}.values())
        self.s.add_all(
            t.Delivery(
                dedup_key=i.dedup_key,
                account_id=i.account_id,
                kind=i.kind.value,
                priority=int(i.priority),
                text=i.text,
                notice_id=i.notice_id,
                period_id=i.period_id,
                edit_of=i.edit_of,
                choices=[list(c) for c in i.choices] or None,
                part=i.part.as_json() if i.part else None,
                status=DeliveryStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            for i in fresh
        )
        await self.s.flush()
        return len(fresh)

    async def get(self, delivery_id: int) -> StoredDelivery | None:
        d = await self.s.get(t.Delivery, delivery_id)
        return None if d is None else _stored(d)

    async def members(self, delivery_id: int) -> list[StoredDelivery]:
        found = await self.s.scalars(
            select(t.Delivery)
            .where(or_(t.Delivery.id == delivery_id, t.Delivery.bundle_of == delivery_id))
            .order_by(t.Delivery.id)
        )
        return [_stored(d) for d in found.all()]

    async def gather(
        self,
        account_id: int,
        kinds: Collection[DeliveryKind],
        taken: Collection[int],
        now: datetime,
        instance: int | None,
    ) -> list[ClaimedDelivery]:
        """Claim the account's other rows due now that may leave in one message with ``taken`` (rows this caller
        claimed): lines of the same group not yet carried by another message, and the lines a message of
        ``taken`` carried the last time it was tried."""
        mine = or_(t.Delivery.bundle_of.is_(None), t.Delivery.bundle_of.in_(list(taken)))
        ids = (
            (
                await self.s.execute(
                    update(t.Delivery)
                    .where(
                        t.Delivery.account_id == account_id,
                        t.Delivery.status == DeliveryStatus.PENDING.value,
                        t.Delivery.next_attempt_at <= now,
                        t.Delivery.kind.in_([k.value for k in kinds]),
                        t.Delivery.part.is_not(None),
                        t.Delivery.id.not_in(list(taken)),
                        mine,
                    )
                    .values(status=DeliveryStatus.SENDING.value, claimed_at=now, claimed_by=instance)
                    .returning(t.Delivery.id)
                    .execution_options(synchronize_session=False)
                )
            )
            .scalars()
            .all()
        )
        return await self._claimed(list(ids)) if ids else []

    async def carry(self, head_id: int, member_ids: Collection[int]) -> None:
        """``head_id``'s message carries ``member_ids`` too (their fate is its fate from now on); with no member
        the head leaves on its own."""
        await self.s.execute(
            update(t.Delivery)
            .where(t.Delivery.id.in_([head_id, *member_ids]))
            .values(bundle_of=head_id if member_ids else None)
        )

    async def withdraw(self, delivery_ids: Collection[int], reason: str) -> None:
        if not delivery_ids:
            return
        await self.s.execute(
            update(t.Delivery)
            .where(t.Delivery.id.in_(list(delivery_ids)))
            .values(
                status=DeliveryStatus.WITHDRAWN.value,
                bundle_of=None,
                claimed_at=None,
                claimed_by=None,
                last_error=reason,
            )
        )

    async def release_stale(self, now: datetime, lease: timedelta) -> int:
        result = await self.s.execute(
            update(t.Delivery)
            .where(t.Delivery.status == DeliveryStatus.SENDING.value, t.Delivery.claimed_at < now - lease)
            .values(status=DeliveryStatus.PENDING.value, claimed_at=None, claimed_by=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def release_orphans(self, instance: int) -> int:
        gone = t.Delivery.claimed_by != instance
        if self.s.bind.dialect.name == "postgresql":
            gone = t.Delivery.claimed_by.not_in(live_instances())
        result = await self.s.execute(
            update(t.Delivery)
            .where(t.Delivery.status == DeliveryStatus.SENDING.value, t.Delivery.claimed_by.is_not(None), gone)
            .values(status=DeliveryStatus.PENDING.value, claimed_at=None, claimed_by=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def claim_due(
        self, now: datetime, limit: int, platforms: Collection[Platform], instance: int | None = None
    ) -> list[ClaimedDelivery]:
        """One conditional UPDATE … RETURNING: a row goes to exactly one drainer, on SQLite and PostgreSQL.

        The candidate rows are picked with FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite has no row locks
        but runs the whole statement under its write lock), and ``status = 'pending'`` is checked again
        on the row being updated, so a row another drainer took in the meantime is left out. A chat that
        still has a message in flight gets nothing more until it is done: messages to one chat keep
        their order across drainers.
        """
        busy = aliased(t.Delivery)
        in_flight = select(busy.id).where(
            busy.account_id == t.ChatAccount.id, busy.status == DeliveryStatus.SENDING.value
        )
        candidates = (
            select(t.Delivery.id)
            .join(t.ChatAccount, t.ChatAccount.id == t.Delivery.account_id)
            .where(
                t.Delivery.status == DeliveryStatus.PENDING.value,
                t.Delivery.next_attempt_at <= now,
                t.ChatAccount.platform.in_([p.value for p in platforms]),
                ~in_flight.exists(),
                # a line carried by another message leaves with it, never alone
                or_(t.Delivery.bundle_of.is_(None), t.Delivery.bundle_of == t.Delivery.id),
            )
            .order_by(t.Delivery.priority, t.Delivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=t.Delivery)
            .cte("candidates")
            .prefix_with("MATERIALIZED", dialect="postgresql")  # evaluated once: LIMIT holds with SKIP LOCKED
        )
        claimed = (
            (
                await self.s.execute(
                    update(t.Delivery)
                    .where(
                        t.Delivery.id.in_(select(candidates.c.id)),
                        t.Delivery.status == DeliveryStatus.PENDING.value,
                    )
                    .values(status=DeliveryStatus.SENDING.value, claimed_at=now, claimed_by=instance)
                    .returning(t.Delivery.id)
                    .execution_options(synchronize_session=False)
                )
            )
            .scalars()
            .all()
        )
        if not claimed:
            return []
        out = await self._claimed(list(claimed))
        await self.s.flush()
        return out

    async def _claimed(self, ids: list[int]) -> list[ClaimedDelivery]:
        original = aliased(t.Delivery)
        found = (
            await self.s.execute(
                select(
                    t.Delivery,
                    t.ChatAccount.platform,
                    t.ChatAccount.chat_id,
                    t.ChatAccount.language,
                    original.platform_message_id,
                )
                .join(t.ChatAccount, t.ChatAccount.id == t.Delivery.account_id)
                .outerjoin(original, original.id == t.Delivery.edit_of)
                .where(t.Delivery.id.in_(ids))
                .order_by(t.Delivery.priority, t.Delivery.id)
                .execution_options(populate_existing=True)
            )
        ).all()
        return [
            ClaimedDelivery(
                d.id,
                d.account_id,
                Platform(platform),
                chat_id,
                d.text,
                d.attempts,
                _choices(d.choices),
                Priority(d.priority),
                language,
                edit_message_id,
                BundlePart.from_json(d.part),
                d.period_id,
            )
            for d, platform, chat_id, language, edit_message_id in found
        ]

    async def copies(self, period_id: int, agency_id: int) -> list[ReminderCopy]:
        found = await self.s.execute(
            select(
                t.Delivery.id,
                t.Delivery.account_id,
                t.Person.id,
                t.Delivery.text,
                t.ChatAccount.language,
                t.Delivery.dedup_key,
                t.Delivery.choices,
                t.Delivery.bundle_of,
            )
            .join(t.ChatAccount, t.ChatAccount.id == t.Delivery.account_id)
            .join(t.Person, t.Person.id == t.ChatAccount.person_id)
            .where(
                t.Delivery.period_id == period_id,
                t.Person.agency_id == agency_id,
                t.Delivery.kind.in_([k.value for k in COPY_KINDS]),
                t.Delivery.status == DeliveryStatus.SENT.value,
            )
            .order_by(t.Delivery.id)
        )
        latest: dict[int, ReminderCopy] = {}
        for delivery_id, account_id, person_id, text, language, key, choices, bundle_of in found.tuples().all():
            latest[account_id] = ReminderCopy(
                delivery_id, account_id, person_id, text, language, key, bool(choices), bundle_of is not None
            )
        return list(latest.values())

    async def acknowledge(self, dedup_key: str, account_id: int, now: datetime) -> bool:
        # the copy itself, or the one that fell back to the person's other app (keys.fallback)
        named = select(t.Delivery.id).where(
            or_(
                t.Delivery.dedup_key == dedup_key,
                t.Delivery.dedup_key.in_([keys.fallback(dedup_key, p.value) for p in Platform]),
            ),
            t.Delivery.account_id == account_id,
        )
        ids = list((await self.s.scalars(named)).all())
        if not ids:
            return False
        done = await self.s.execute(
            update(t.Delivery)
            .where(
                or_(t.Delivery.id.in_(ids), t.Delivery.bundle_of.in_(ids)),  # every report of the message it was on
                t.Delivery.acknowledged_at.is_(None),
            )
            .values(acknowledged_at=now)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def reach(self, period_id: int) -> dict[int, Reach]:
        found = await self.s.execute(
            select(t.Person.agency_id, t.Delivery.status, t.Delivery.acknowledged_at)
            .join(t.ChatAccount, t.ChatAccount.id == t.Delivery.account_id)
            .join(t.Person, t.Person.id == t.ChatAccount.person_id)
            .where(t.Delivery.period_id == period_id, t.Delivery.kind.in_([k.value for k in REMINDER_KINDS]))
        )
        reminded: dict[int, bool] = {}
        seen: dict[int, bool] = {}
        for agency_id, status, acked in found.tuples().all():
            reminded[agency_id] = reminded.get(agency_id, False) or status == DeliveryStatus.SENT.value
            seen[agency_id] = seen.get(agency_id, False) or acked is not None
        return {a: Reach(reminded[a], seen[a]) for a in reminded}

    async def mark_sent(self, delivery_id: int, message_id: str | None, now: datetime) -> None:
        await self.s.execute(
            update(t.Delivery)
            .where(or_(t.Delivery.id == delivery_id, t.Delivery.bundle_of == delivery_id))
            .values(
                status=DeliveryStatus.SENT.value,
                sent_at=now,
                platform_message_id=message_id,
                attempts=t.Delivery.attempts + 1,
                claimed_at=None,
                claimed_by=None,
                last_error=None,
            )
        )

    async def mark_retry(self, delivery_id: int, error: str, next_at: datetime, count_attempt: bool = True) -> None:
        await self.s.execute(
            update(t.Delivery)
            .where(or_(t.Delivery.id == delivery_id, t.Delivery.bundle_of == delivery_id))
            .values(
                status=DeliveryStatus.PENDING.value,
                next_attempt_at=next_at,
                attempts=t.Delivery.attempts + (1 if count_attempt else 0),
                claimed_at=None,
                claimed_by=None,
                last_error=error[:1000],
            )
        )

    async def mark_final(self, delivery_id: int, status: DeliveryStatus, error: str) -> None:
        await self.s.execute(
            update(t.Delivery)
            .where(or_(t.Delivery.id == delivery_id, t.Delivery.bundle_of == delivery_id))
            .values(
                status=status.value,
                attempts=t.Delivery.attempts + 1,
                claimed_at=None,
                claimed_by=None,
                last_error=error[:1000],
            )
        )

    async def status_counts(self, since: datetime, until: datetime) -> dict[DeliveryStatus, int]:
        found = (
            await self.s.execute(
                select(t.Delivery.status, func.count())
                .where(
                    t.Delivery.created_at >= since,
                    t.Delivery.created_at < until,
                    t.Delivery.kind != DeliveryKind.DIGEST.value,
                )
                .group_by(t.Delivery.status)
            )
        ).all()
        return {DeliveryStatus(status): int(n) for status, n in found}

    async def figures(self) -> OutboxFigures:
        found = (
            (
                await self.s.execute(
                    select(t.Delivery.status, t.Delivery.kind, func.count()).group_by(
                        t.Delivery.status, t.Delivery.kind
                    )
                )
            )
            .tuples()
            .all()
        )
        waiting_states = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)
        waiting, oldest = (
            await self.s.execute(
                select(func.count(), func.min(t.Delivery.created_at)).where(t.Delivery.status.in_(waiting_states))
            )
        ).one()
        if isinstance(oldest, str):  # SQLite's min() of a datetime column comes back as text
            oldest = datetime.fromisoformat(oldest).replace(tzinfo=UTC)
        return OutboxFigures({(status, kind): int(n) for status, kind, n in found}, int(waiting), oldest)

    async def history(self, period_id: int, agency_id: int) -> list[DeliveryRecord]:
        found = await self.s.execute(
            select(t.Delivery, t.Person.display_name, t.ChatAccount.platform)
            .join(t.ChatAccount, t.ChatAccount.id == t.Delivery.account_id)
            .join(t.Person, t.Person.id == t.ChatAccount.person_id)
            .where(t.Delivery.period_id == period_id, t.Person.agency_id == agency_id)
            .order_by(t.Delivery.created_at, t.Delivery.id)
        )
        return [
            DeliveryRecord(
                d.kind, d.status, name, platform, d.created_at, d.sent_at, d.acknowledged_at, d.attempts, d.last_error
            )
            for d, name, platform in found.tuples().all()
        ]


def _stored(d: t.Delivery) -> StoredDelivery:
    return StoredDelivery(
        d.id,
        d.dedup_key,
        d.account_id,
        DeliveryKind(d.kind),
        d.text,
        Priority(d.priority),
        d.notice_id,
        _choices(d.choices),
        d.period_id,
        BundlePart.from_json(d.part),
    )
