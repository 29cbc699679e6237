"""A person's data: what is held (/dulieu), erasing it (/xoadulieu, the dashboard, the CLI), and retention.

Erasure touches the person only. Their own rows (person, accounts, invites, the messages sent to them, sessions,
choices) are erased by the schema's links. Their name is then looked for where a column quotes people — other
people's messages, notices, audit details, what the chat inboxes keep — as a whole name in any case, Unicode form
or spacing (``core.erasure``), and only when it cannot be mistaken for an agency, a plan or another person. The
registry, plans, tasks, series and the calendar are never searched. Every text and JSON column of the schema is
declared in one of the sets below; a test fails when a new one is not, so a column added later is decided on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import erasure
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

FINISHED = (
    DeliveryStatus.SENT.value,
    DeliveryStatus.FAILED.value,
    DeliveryStatus.BLOCKED.value,
    DeliveryStatus.WITHDRAWN.value,
)
ERASED_ERROR = "personal data erased"  # why a message still waiting was not sent

# Columns that may quote a person by name as that person: searched for the erased name.
QUOTES_PEOPLE: frozenset[str] = frozenset(
    {
        "delivery.text",  # messages to others ("Đề nghị đồng chí … gửi …", lists of people)
        "delivery.choices",
        "delivery.part",  # a reminder's line and its addressee, for a message with the person's others
        "notice.text",  # what an admin wrote to the agencies
        "audit_log.detail",  # who was invited, named, linked
        "inbound_update.body",  # what the chat inboxes keep until answered, and the replies written
        "inbound_update.replies",
        "pending_choice.payload",
        "conversation_state.data",
        "report_file.name",  # a file named after its sender ("BC thang 4 - Nguyễn Văn An.pdf")
    }
)
# Columns of the person's own rows, erased by the person's id (never searched in others' rows).
THE_PERSONS_OWN: frozenset[str] = frozenset(
    {
        "person.display_name",
        "person.title",
        "chat_account.platform_user_id",
        "chat_account.chat_id",
        "invite.person_name",
        "invite.person_title",
        "audit_log.actor",  # "zalo:<user id>" of the person's accounts becomes "account:<row>"
    }
)
# Columns that never quote a person as such: the registry and its history, plans and their drafts, tasks,
# series, periods, the calendar, codes, keys, states, languages, the platforms' errors and actor labels
# ("account:12", "cli").
NEVER_PEOPLE: frozenset[str] = frozenset(
    {
        "agency.code", "agency.name", "agency.kind", "agency.province", "agency.official_code",
        "agency_name.name",
        "plan.number", "plan.title", "plan.issuing_body", "plan.signer", "plan.signer_title",
        "plan_draft.created_by", "plan_draft.filename", "plan_draft.format", "plan_draft.text",
        "plan_draft.draft", "plan_draft.plan_number",
        "task.ref", "task.title", "task.text", "task_assignment.role",
        "report_series.code", "report_series.name", "report_series.recurrence", "report_series.wording",
        "report_series.receiver_wording", "report_series.cutoff", "report_series.policy",
        "report_period.key", "report_period.label",
        "calendar_day.kind", "calendar_day.reason", "calendar_day.source", "calendar_day.created_by",
        "audit_log.action", "audit_log.entity", "audit_log.entity_id",
        "person.role", "chat_account.platform", "chat_account.language",
        "invite.code", "invite.role", "invite.created_by",
        "submission.confirmed_via", "submission.document_number", "submission.file_ref",
        "notice.audience",
        "delivery.dedup_key", "delivery.kind", "delivery.status", "delivery.last_error",
        "delivery.platform_message_id",
        "inbound_update.platform", "inbound_update.update_key", "inbound_update.chat_id",
        "inbound_update.last_error",
        "pending_choice.token", "pending_choice.menu_id", "pending_choice.action",
        "conversation_state.flow",
        "reminder_run.key", "reminder_run.outcome",
        "seen_update.platform", "seen_update.update_key",
        "channel_usage.platform", "channel_usage.month",
        "web_login.token_hash", "web_session.token_hash", "web_session.csrf",
        "report_file.received_via", "stored_file.sha256", "stored_file.kind",
    }
)  # fmt: skip


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
        files = await self.s.scalar(select(func.count()).where(t.ReportFile.received_by_person_id == person_id)) or 0
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
            int(files),
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
        rewritten = 0
        if erasure.searchable(name, await self._protected(person_id)):
            rewritten = await self._replace_quotes(name, placeholder, skip_accounts=ids)
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
            update(t.Delivery)
            .where(t.Delivery.account_id.in_(ids), or_(t.Delivery.text != "", t.Delivery.part.is_not(None)))
            .values(text="", part=None)
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

    async def _protected(self, person_id: int) -> list[str]:
        """The phrases a name must not be part of to be looked for: every agency's name of any time, the plans,
        tasks, series and periods, and the names of the other people."""
        columns: list[Any] = [
            t.Agency.name,
            t.AgencyName.name,
            t.Plan.title,
            t.Plan.issuing_body,
            t.Plan.signer,
            t.Task.title,
            t.ReportSeries.name,
        ]
        found: list[str] = []
        for column in columns:
            found.extend(await self.s.scalars(select(column).distinct()))
        found.extend(
            await self.s.scalars(
                select(t.Person.display_name).where(t.Person.id != person_id, t.Person.erased_at.is_(None))
            )
        )
        found.extend(
            await self.s.scalars(
                select(t.Invite.person_name).where(
                    t.Invite.person_name.is_not(None),
                    or_(t.Invite.person_id.is_(None), t.Invite.person_id != person_id),
                )
            )
        )
        return found

    async def _replace_quotes(self, name: str, placeholder: str, skip_accounts: Sequence[int]) -> int:
        """Replace the name in every column that quotes people (the texts sent to the person are cleared
        instead); how many rows changed."""
        wanted = erasure.pattern(name)
        changed = 0
        for qualified in sorted(QUOTES_PEOPLE):
            table_name, column_name = qualified.split(".")
            table = Base.metadata.tables[table_name]
            column: Column[Any] = table.c[column_name]
            keys = list(table.primary_key.columns)
            query = select(*keys, column).where(column.is_not(None))
            if table_name == "delivery" and skip_accounts:
                query = query.where(t.Delivery.account_id.not_in(skip_accounts))
            rows = (await self.s.execute(query)).all()
            for *pk, value in rows:
                new = erasure.replaced_value(value, wanted, placeholder)
                if new is None:
                    continue
                await self.s.execute(
                    update(table).where(*(k == v for k, v in zip(keys, pk, strict=True))).values({column_name: new})
                )
                changed += 1
        return changed

    async def clear_texts(self, before: datetime) -> int:
        result = await self.s.execute(
            update(t.Delivery)
            .where(
                t.Delivery.created_at < before,
                t.Delivery.status.in_(FINISHED),
                or_(t.Delivery.text != "", t.Delivery.part.is_not(None)),
            )
            .values(text="", part=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def drop_audit(self, before: datetime, actions: Sequence[str] | None = None) -> int:
        query = delete(t.AuditLog).where(t.AuditLog.at < before)
        if actions is not None:
            query = query.where(t.AuditLog.action.in_(actions))
        result = await self.s.execute(query)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
