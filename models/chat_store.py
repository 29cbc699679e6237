"""SqlChatStore: the conversation core's Store port over SQLAlchemy, one transaction per call."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.conversation.events import Account, Sender
from core.conversation.ports import (
    AgencyPeriod,
    ExportRow,
    NoticeSummary,
    OutgoingItem,
    RecipientInfo,
    StoreError,
    SubmissionReceipt,
)
from core.types import (
    Agency,
    AgencyKind,
    AssignedTask,
    InviteInfo,
    Period,
    PeriodStatusRow,
    Platform,
    Recurrence,
    Role,
)
from models import audit, outbox, queries
from models import tables as t
from models.invites import create_invite
from models.reminders import recipients as recipient_rows
from models.submissions import SubmissionError, live_submission, record_submission, undo_submission


def _account(acc: t.ChatAccount, person: t.Person, agency: t.Agency) -> Account:
    return Account(
        acc.id, person.id, person.display_name, agency.id, agency.code, agency.name, Role(person.role), acc.language
    )


class SqlChatStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], invite_ttl: timedelta = timedelta(days=7)) -> None:
        self.sessions = sessions
        self.invite_ttl = invite_ttl

    # ------------------------------------------------------------------ identity

    async def account(self, sender: Sender) -> Account | None:
        async with self.sessions() as s:
            row = (
                await s.execute(
                    select(t.ChatAccount, t.Person, t.Agency)
                    .join(t.Person, t.Person.id == t.ChatAccount.person_id)
                    .join(t.Agency, t.Agency.id == t.Person.agency_id)
                    .where(
                        t.ChatAccount.platform == sender.platform.value,
                        t.ChatAccount.platform_user_id == sender.user_id,
                        t.ChatAccount.active.is_(True),
                        t.Person.active.is_(True),
                    )
                )
            ).first()
            return _account(*row) if row else None

    async def redeem_invite(self, code: str, sender: Sender, now: datetime) -> Account:
        async with self.sessions.begin() as s:
            inv = await s.scalar(select(t.Invite).where(t.Invite.code == code))
            if inv is None:
                raise StoreError("invite_unknown")
            if inv.used_at is not None:
                raise StoreError("invite_used")
            if inv.expires_at <= now:
                raise StoreError("invite_expired")
            taken = await s.scalar(
                select(t.ChatAccount.id).where(
                    t.ChatAccount.platform == sender.platform.value, t.ChatAccount.platform_user_id == sender.user_id
                )
            )
            if taken is not None:
                raise StoreError("already_registered")
            claimed = await s.execute(
                update(t.Invite).where(t.Invite.id == inv.id, t.Invite.used_at.is_(None)).values(used_at=now)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                raise StoreError("invite_used")  # someone redeemed it at the same instant
            name = sender.display_name.strip()[:120] or "Cán bộ"
            linked = inv.person_id is not None
            person = await s.get(t.Person, inv.person_id) if linked else None
            if person is None:
                person = t.Person(
                    display_name=name, agency_id=inv.agency_id, role=inv.role, active=True, created_at=now
                )
                s.add(person)
                await s.flush()
            acc = t.ChatAccount(
                person_id=person.id,
                platform=sender.platform.value,
                platform_user_id=sender.user_id,
                chat_id=sender.chat_id,
                language="vi",
                active=True,
                created_at=now,
            )
            s.add(acc)
            await s.flush()
            inv.used_by_account_id = acc.id
            agency = await s.get(t.Agency, inv.agency_id)
            assert agency is not None
            actor = f"{sender.platform.value}:{sender.user_id}"
            audit.record(
                s,
                actor,
                "link_account" if linked else "register",
                "chat_account",
                acc.id,
                {"invite_id": inv.id, "agency": agency.code, "role": person.role},
                at=now,
            )
            return replace(_account(acc, person, agency), linked=linked)

    async def set_language(self, account_id: int, language: str) -> None:
        async with self.sessions.begin() as s:
            await s.execute(update(t.ChatAccount).where(t.ChatAccount.id == account_id).values(language=language))
            audit.record(s, f"account:{account_id}", "set_language", "chat_account", account_id, {"language": language})

    async def accounts_of(self, person_id: int) -> list[tuple[int, str, bool]]:
        async with self.sessions() as s:
            rows = await s.execute(
                select(t.ChatAccount.id, t.ChatAccount.platform, t.ChatAccount.preferred)
                .where(t.ChatAccount.person_id == person_id, t.ChatAccount.active.is_(True))
                .order_by(t.ChatAccount.id)
            )
            return [(int(a), str(p), bool(pref)) for a, p, pref in rows.all()]

    async def set_preferred(self, person_id: int, account_id: int) -> None:
        async with self.sessions.begin() as s:
            await s.execute(
                update(t.ChatAccount)
                .where(t.ChatAccount.person_id == person_id)
                .values(preferred=(t.ChatAccount.id == account_id))
            )
            audit.record(
                s, f"account:{account_id}", "set_preferred_channel", "person", person_id, {"account_id": account_id}
            )

    async def create_link_code(self, account: Account, now: datetime) -> InviteInfo:
        async with self.sessions.begin() as s:
            info = await create_invite(
                s,
                account.agency_id,
                account.agency_code,
                account.role,
                now,
                timedelta(hours=24),
                f"account:{account.account_id}",
            )
            inv = await s.scalar(select(t.Invite).where(t.Invite.code == info.code))
            assert inv is not None
            inv.person_id = account.person_id
            return info

    async def chat_ids(self, platform: str, role: Role) -> list[str]:
        """Chat ids of active accounts on ``platform`` whose person has ``role`` (for admin menus)."""
        async with self.sessions() as s:
            rows = await s.scalars(
                select(t.ChatAccount.chat_id)
                .join(t.Person, t.Person.id == t.ChatAccount.person_id)
                .where(
                    t.ChatAccount.platform == platform,
                    t.ChatAccount.active.is_(True),
                    t.Person.active.is_(True),
                    t.Person.role == role.value,
                )
            )
            return list(rows.all())

    async def ensure_console_account(self, agency_code: str, role: Role, name: str, now: datetime) -> Sender:
        """The terminal user for ``nhacviec chat --as CODE``: an operator on the server, audited."""
        user_id = f"{agency_code}:{role.value}"
        sender = Sender(Platform.CONSOLE, user_id, user_id, name)
        if await self.account(sender) is not None:
            return sender
        async with self.sessions.begin() as s:
            agency = await queries.agency_by_code(s, agency_code)
            if agency is None:
                raise StoreError("agency_unknown")
            person = t.Person(display_name=name, agency_id=agency.id, role=role.value, active=True, created_at=now)
            s.add(person)
            await s.flush()
            acc = t.ChatAccount(
                person_id=person.id,
                platform=Platform.CONSOLE.value,
                platform_user_id=user_id,
                chat_id=user_id,
                language="vi",
                active=True,
                created_at=now,
            )
            s.add(acc)
            await s.flush()
            audit.record(
                s, "cli", "console_account", "chat_account", acc.id, {"agency": agency.code, "role": role.value}, at=now
            )
        return sender

    # ------------------------------------------------------------------ choices and state

    async def offer(
        self, account_id: int, options: list[tuple[str, dict[str, Any]]], now: datetime, ttl: timedelta
    ) -> list[str]:
        menu = secrets.token_hex(8)
        tokens = [secrets.token_urlsafe(12) for _ in options]
        async with self.sessions.begin() as s:
            s.add_all(
                t.PendingChoice(
                    token=tok,
                    menu_id=menu,
                    position=i,
                    account_id=account_id,
                    action=action,
                    payload=payload,
                    created_at=now,
                    expires_at=now + ttl,
                )
                for i, (tok, (action, payload)) in enumerate(zip(tokens, options, strict=True), start=1)
            )
        return tokens

    async def take_choice(
        self, token: str, account_id: int, now: datetime, single_use: frozenset[str]
    ) -> tuple[str, dict[str, Any]]:
        async with self.sessions.begin() as s:
            row = await s.scalar(select(t.PendingChoice).where(t.PendingChoice.token == token[:32]))
            if row is None:
                raise StoreError("choice_unknown")
            if row.account_id != account_id:
                # The same person on another channel (a message that fell back) may still use it.
                owners = (
                    await s.scalars(
                        select(t.ChatAccount.person_id).where(t.ChatAccount.id.in_([row.account_id, account_id]))
                    )
                ).all()
                if len(set(owners)) != 1:
                    raise StoreError("choice_not_yours")
            if row.used_at is not None:
                raise StoreError("choice_used")
            if row.expires_at <= now:
                raise StoreError("choice_expired")
            if row.action in single_use:
                # One decision per menu: the sibling buttons (Confirm / Cancel…) are used up with it.
                done = await s.execute(
                    update(t.PendingChoice)
                    .where(t.PendingChoice.menu_id == row.menu_id, t.PendingChoice.used_at.is_(None))
                    .values(used_at=now)
                )
                if not done.rowcount:  # type: ignore[attr-defined]
                    raise StoreError("choice_used")
            return row.action, dict(row.payload)

    async def pick_from_menu(self, account_id: int, position: int, now: datetime) -> str | None:
        async with self.sessions() as s:
            latest = await s.scalar(
                select(t.PendingChoice.menu_id)
                .where(t.PendingChoice.account_id == account_id)
                .order_by(t.PendingChoice.id.desc())
                .limit(1)
            )
            if latest is None:
                return None
            row = await s.scalar(
                select(t.PendingChoice).where(t.PendingChoice.menu_id == latest, t.PendingChoice.position == position)
            )
            if row is None or row.expires_at <= now:
                return None
            return row.token

    async def get_state(self, account_id: int, now: datetime) -> tuple[str, dict[str, Any]] | None:
        async with self.sessions() as s:
            row = await s.get(t.ConversationState, account_id)
            if row is None or row.expires_at <= now:
                return None
            return row.flow, dict(row.data)

    async def set_state(self, account_id: int, flow: str, data: dict[str, Any], expires_at: datetime) -> None:
        async with self.sessions.begin() as s:
            row = await s.get(t.ConversationState, account_id)
            if row is None:
                s.add(t.ConversationState(account_id=account_id, flow=flow, data=data, expires_at=expires_at))
            else:
                row.flow, row.data, row.expires_at = flow, data, expires_at

    async def clear_state(self, account_id: int) -> None:
        async with self.sessions.begin() as s:
            row = await s.get(t.ConversationState, account_id)
            if row is not None:
                await s.delete(row)

    # ------------------------------------------------------------------ plan data

    async def tasks(self, agency_id: int) -> list[AssignedTask]:
        async with self.sessions() as s:
            return await queries.tasks_for_agency(s, agency_id)

    async def agency_periods(self, agency_id: int, due_from: datetime, opens_before: datetime) -> list[AgencyPeriod]:
        async with self.sessions() as s:
            rows = (
                await s.execute(
                    queries.period_select()
                    .join(t.PeriodAgency, t.PeriodAgency.period_id == t.ReportPeriod.id)
                    .where(
                        t.PeriodAgency.agency_id == agency_id,
                        t.ReportPeriod.due_at >= due_from,
                        t.ReportPeriod.opens_at <= opens_before,
                    )
                    .order_by(t.ReportPeriod.due_at, t.ReportPeriod.id)
                )
            ).all()
            subs = await self._live(s, agency_id, [p.id for p, _, _ in rows])
            return [self._agency_period(queries.period_dc(*r), subs.get(r[0].id)) for r in rows]

    @staticmethod
    async def _live(s: AsyncSession, agency_id: int, period_ids: list[int]) -> dict[int, t.Submission]:
        found = await s.scalars(
            select(t.Submission).where(
                t.Submission.agency_id == agency_id,
                t.Submission.period_id.in_(period_ids),
                t.Submission.undone_at.is_(None),
            )
        )
        return {x.period_id: x for x in found.all()}

    @staticmethod
    def _agency_period(period: Period, sub: t.Submission | None) -> AgencyPeriod:
        return AgencyPeriod(
            period, sub.confirmed_at if sub else None, sub.late if sub else None, sub.document_number if sub else None
        )

    async def find_period(self, ref: str | None, now: datetime) -> Period | None:
        async with self.sessions() as s:
            return await queries.find_period(s, ref, now)

    async def period_status(self, period_id: int) -> list[PeriodStatusRow]:
        async with self.sessions() as s:
            return await queries.period_status(s, period_id)

    async def agencies(self, kinds: tuple[AgencyKind, ...] | None = None) -> list[Agency]:
        async with self.sessions() as s:
            rows = await queries.list_agencies(s)
        return [a for a in rows if kinds is None or a.kind in kinds]

    # ------------------------------------------------------------------ submissions

    async def submit(
        self, account: Account, period_id: int, now: datetime, document_number: str | None, file_ref: str | None
    ) -> SubmissionReceipt:
        async with self.sessions.begin() as s:
            try:
                sub = await record_submission(
                    s,
                    account.agency_id,
                    period_id,
                    now,
                    f"account:{account.account_id}",
                    account.person_id,
                    document_number,
                    file_ref,
                )
            except SubmissionError as exc:
                raise StoreError(exc.code) from exc
            period = await queries.period_by_id(s, period_id)
            assert period is not None
            return SubmissionReceipt(period, sub.confirmed_at, sub.late, sub.document_number, file_ref is not None)

    async def recent_submissions(self, agency_id: int, since: datetime) -> list[AgencyPeriod]:
        async with self.sessions() as s:
            subs = (
                await s.scalars(
                    select(t.Submission)
                    .where(
                        t.Submission.agency_id == agency_id,
                        t.Submission.undone_at.is_(None),
                        t.Submission.confirmed_at >= since,
                    )
                    .order_by(t.Submission.confirmed_at)
                )
            ).all()
            out = []
            for sub in subs:
                period = await queries.period_by_id(s, sub.period_id)
                assert period is not None
                out.append(self._agency_period(period, sub))
            return out

    async def undo(self, account: Account, period_id: int, now: datetime, within: timedelta) -> Period:
        async with self.sessions.begin() as s:
            live = await live_submission(s, account.agency_id, period_id)
            if live is None:
                raise StoreError("nothing_to_undo")
            if live.confirmed_at < now - within:
                raise StoreError("too_late")
            await undo_submission(
                s, account.agency_id, period_id, now, f"account:{account.account_id}", account.person_id
            )
            period = await queries.period_by_id(s, period_id)
            assert period is not None
            return period

    # ------------------------------------------------------------------ outgoing messages and notices

    async def recipients(self, role: Role | None, agency_codes: tuple[str, ...]) -> list[RecipientInfo]:
        async with self.sessions() as s:
            rows = await recipient_rows(s, role, agency_codes)
        return [RecipientInfo(r.account_id, r.person_name, r.agency_code, r.agency_name, r.language) for r in rows]

    async def enqueue(self, items: list[OutgoingItem], now: datetime) -> int:
        async with self.sessions.begin() as s:
            return await outbox.enqueue(
                s,
                [
                    outbox.NewDelivery(i.dedup_key, i.account_id, i.kind, i.text, i.priority, i.notice_id, i.choices)
                    for i in items
                ],
                now,
            )

    async def create_notice(self, account: Account, text: str, audience: dict[str, Any], now: datetime) -> int:
        async with self.sessions.begin() as s:
            notice = t.Notice(created_by_person_id=account.person_id, text=text, audience=audience, created_at=now)
            s.add(notice)
            await s.flush()
            audit.record(s, f"account:{account.account_id}", "broadcast", "notice", notice.id, audience, at=now)
            return notice.id

    async def acknowledge(self, notice_id: int, account_id: int, now: datetime) -> bool:
        async with self.sessions.begin() as s:
            done = await s.execute(
                update(t.Delivery)
                .where(
                    t.Delivery.notice_id == notice_id,
                    t.Delivery.account_id == account_id,
                    t.Delivery.acknowledged_at.is_(None),
                )
                .values(acknowledged_at=now)
            )
            if done.rowcount:  # type: ignore[attr-defined]
                audit.record(s, f"account:{account_id}", "acknowledge", "notice", notice_id, at=now)
            return bool(done.rowcount)  # type: ignore[attr-defined]

    async def notices(self, limit: int) -> list[NoticeSummary]:
        async with self.sessions() as s:
            notices = (await s.scalars(select(t.Notice).order_by(t.Notice.id.desc()).limit(limit))).all()
            out = []
            for n in notices:
                rows = (
                    await s.execute(
                        select(
                            t.Delivery.status,
                            t.Delivery.acknowledged_at,
                            t.Person.display_name,
                            t.Agency.name,
                            t.Person.id,
                        )
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
                        recipients=len(rows),
                        delivered=sum(1 for r in rows if r.status == "sent"),
                        acknowledged=sum(1 for r in rows if r.acknowledged_at is not None),
                        not_acknowledged=tuple(
                            f"{r.display_name} ({r.name})" for r in rows if r.acknowledged_at is None
                        ),
                    )
                )
            return out

    # ------------------------------------------------------------------ admin

    async def create_adhoc_period(
        self, account: Account, title: str, agency_codes: tuple[str, ...], opens_at: datetime, due_at: datetime
    ) -> Period:
        async with self.sessions.begin() as s:
            series = await s.scalar(
                select(t.ReportSeries)
                .join(t.Plan, t.Plan.id == t.ReportSeries.plan_id)
                .where(t.ReportSeries.recurrence == Recurrence.AD_HOC.value)
                .order_by(t.Plan.issued_on.desc(), t.Plan.id.desc())
                .limit(1)
            )
            if series is None:
                raise StoreError("no_adhoc_series")
            period = t.ReportPeriod(
                series_id=series.id,
                key=f"{due_at:%Y-%m-%d}-{secrets.token_hex(3)}",
                label=f"{series.name}: {title}",
                opens_at=opens_at,
                due_at=due_at,
            )
            s.add(period)
            await s.flush()
            agencies = (await s.scalars(select(t.Agency).where(t.Agency.code.in_(agency_codes)))).all()
            s.add_all(t.PeriodAgency(period_id=period.id, agency_id=a.id) for a in agencies)
            audit.record(
                s,
                f"account:{account.account_id}",
                "create_adhoc_period",
                "report_period",
                period.id,
                {"title": title, "agencies": list(agency_codes), "due_at": due_at.isoformat()},
                at=opens_at,
            )
            await s.flush()
            result = await queries.period_by_id(s, period.id)
            assert result is not None
            return result

    async def export_rows(self, period_id: int | None) -> list[ExportRow]:
        async with self.sessions() as s:
            periods = [p for p in await queries.list_periods(s) if period_id is None or p.id == period_id]
            out = []
            for p in periods:
                for r in await queries.period_status(s, p.id):
                    out.append(
                        ExportRow(
                            p.label, p.due_at, r.agency.code, r.agency.name, r.submitted_at, r.late, r.document_number
                        )
                    )
            return out

    async def create_invite(self, account: Account, agency_code: str, role: Role, now: datetime) -> InviteInfo:
        async with self.sessions.begin() as s:
            agency = await queries.agency_by_code(s, agency_code)
            if agency is None:
                raise StoreError("agency_unknown")
            return await create_invite(
                s, agency.id, agency.code, role, now, self.invite_ttl, f"account:{account.account_id}"
            )
