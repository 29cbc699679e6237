"""What the conversation core needs from storage and from the running service.

``Store`` is implemented by ``models.chat_store.SqlChatStore`` (one transaction per call);
``Notifier`` by the service (kick the outbox sender, re-derive the reminder jobs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from core.conversation.events import Account, Sender
from core.types import Agency, AgencyKind, AssignedTask, InviteInfo, Period, PeriodStatusRow, Role


class StoreError(Exception):
    """A use-case refused; ``code`` says why (the core turns it into a polite sentence)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class AgencyPeriod:
    period: Period
    submitted_at: datetime | None
    late: bool | None
    document_number: str | None


@dataclass(frozen=True, slots=True)
class SubmissionReceipt:
    period: Period
    confirmed_at: datetime
    late: bool
    document_number: str | None
    file_attached: bool


@dataclass(frozen=True, slots=True)
class RecipientInfo:
    account_id: int
    person_name: str
    agency_code: str
    agency_name: str
    language: str


@dataclass(frozen=True, slots=True)
class OutgoingItem:
    dedup_key: str
    account_id: int
    kind: str
    text: str
    priority: int = 5
    notice_id: int | None = None
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class NoticeSummary:
    id: int
    created_at: datetime
    text: str
    recipients: int
    delivered: int
    acknowledged: int
    not_acknowledged: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExportRow:
    period_label: str
    due_at: datetime
    agency_code: str
    agency_name: str
    submitted_at: datetime | None
    late: bool | None
    document_number: str | None


class Store(Protocol):
    # identity
    async def account(self, sender: Sender) -> Account | None: ...
    async def redeem_invite(self, code: str, sender: Sender, now: datetime) -> Account:
        """Raises StoreError('invite_unknown' | 'invite_used' | 'invite_expired' | 'already_registered')."""

    async def set_language(self, account_id: int, language: str) -> None: ...
    async def accounts_of(self, person_id: int) -> list[tuple[int, str, bool]]:
        """The person's active accounts: (account id, platform, preferred)."""

    async def set_preferred(self, person_id: int, account_id: int) -> None: ...
    async def create_link_code(self, account: Account, now: datetime) -> InviteInfo: ...

    # choices and multi-step state
    async def offer(
        self, account_id: int, options: list[tuple[str, dict[str, Any]]], now: datetime, ttl: timedelta
    ) -> list[str]: ...
    async def take_choice(
        self, token: str, account_id: int, now: datetime, single_use: frozenset[str]
    ) -> tuple[str, dict[str, Any]]:
        """The (action, payload) behind a token; used up at once if its action is in ``single_use``.

        Raises StoreError('choice_unknown' | 'choice_expired' | 'choice_used' | 'choice_not_yours').
        """

    async def pick_from_menu(self, account_id: int, position: int, now: datetime) -> str | None: ...
    async def get_state(self, account_id: int, now: datetime) -> tuple[str, dict[str, Any]] | None: ...
    async def set_state(self, account_id: int, flow: str, data: dict[str, Any], expires_at: datetime) -> None: ...
    async def clear_state(self, account_id: int) -> None: ...

    # plan data
    async def tasks(self, agency_id: int) -> list[AssignedTask]: ...
    async def agency_periods(
        self, agency_id: int, due_from: datetime, opens_before: datetime
    ) -> list[AgencyPeriod]: ...
    async def find_period(self, ref: str | None, now: datetime) -> Period | None: ...
    async def period_status(self, period_id: int) -> list[PeriodStatusRow]: ...
    async def agencies(self, kinds: tuple[AgencyKind, ...] | None = None) -> list[Agency]: ...

    # submissions
    async def submit(
        self, account: Account, period_id: int, now: datetime, document_number: str | None, file_ref: str | None
    ) -> SubmissionReceipt:
        """Raises StoreError('not_owed' | 'already_submitted' | 'period_unknown')."""

    async def recent_submissions(self, agency_id: int, since: datetime) -> list[AgencyPeriod]: ...
    async def undo(self, account: Account, period_id: int, now: datetime, within: timedelta) -> Period:
        """Raises StoreError('nothing_to_undo' | 'too_late')."""

    # outgoing messages and notices
    async def recipients(self, role: Role | None, agency_codes: tuple[str, ...]) -> list[RecipientInfo]: ...
    async def enqueue(self, items: list[OutgoingItem], now: datetime) -> int: ...
    async def create_notice(self, account: Account, text: str, audience: dict[str, Any], now: datetime) -> int: ...
    async def acknowledge(self, notice_id: int, account_id: int, now: datetime) -> bool: ...
    async def notices(self, limit: int) -> list[NoticeSummary]: ...

    # admin
    async def create_adhoc_period(
        self, account: Account, title: str, agency_codes: tuple[str, ...], opens_at: datetime, due_at: datetime
    ) -> Period:
        """Raises StoreError('no_adhoc_series')."""

    async def export_rows(self, period_id: int | None) -> list[ExportRow]: ...
    async def create_invite(self, account: Account, agency_code: str, role: Role, now: datetime) -> InviteInfo:
        """Raises StoreError('agency_unknown')."""


class Notifier(Protocol):
    def deliveries_queued(self) -> None:
        """New rows are in the outbox: send them soon."""

    async def periods_changed(self) -> None:
        """Periods were added or changed: re-derive the reminder jobs."""
