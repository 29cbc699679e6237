"""The storage ports: one small repository per aggregate, and the unit of work that holds them.

``models/`` implements them over SQLAlchemy (``models.uow.SqlUnitOfWork``); the use-cases in
``core/usecases`` are written against these protocols only. Every repository works inside the unit of
work's one transaction: nothing is visible to others until ``commit``; leaving the ``async with``
block without a commit rolls everything back. Repositories never commit.

Rows leave as the plain dataclasses of ``core.types``. A write that collides with a concurrent one on a
unique key raises ``Conflict`` (at the write or at ``commit``), and the whole unit is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

from core.plandiff import PlanDiff, StoredPlan
from core.planfile import PlanSpec
from core.types import (
    Account,
    Agency,
    AgencyKind,
    AgencyPeriod,
    AssignedTask,
    CalendarDayInfo,
    ChatAccountInfo,
    ChoiceRecord,
    ClaimedDelivery,
    DeliveryKind,
    DeliveryRecord,
    DeliveryStatus,
    Erased,
    InviteRecord,
    KeptDraft,
    NewDelivery,
    NoticeSummary,
    OutboxFigures,
    Period,
    PeriodStatusRow,
    PersonalData,
    PersonListing,
    PlanListing,
    PlanningRow,
    Platform,
    Reach,
    Recipient,
    ReminderCopy,
    ReportFile,
    Role,
    RunOutcome,
    Sender,
    SentDetail,
    SeriesRef,
    SetAside,
    StoredDelivery,
    SubmissionDetail,
    SubmissionInfo,
    TaskListing,
    Unfetched,
    WaitingUpdate,
)


class Conflict(Exception):
    """A concurrent writer got there first (a unique key already taken); the unit was rolled back."""


class AccountRepository(Protocol):
    """People and their chat accounts."""

    async def people(self, agency_id: int | None = None) -> list[PersonListing]:
        """Everyone registered (of one agency), by agency then name, inactive people included."""

    async def deactivate(self, person_id: int) -> bool:
        """The person can no longer use the bot or the dashboard; False if there was no such active person."""

    async def by_id(self, account_id: int) -> Account | None:
        """The account of an active person, as the database has it now."""

    async def by_sender(self, sender: Sender) -> Account | None:
        """The active account of this platform user with an active person, or None."""

    async def is_registered(self, platform: Platform, user_id: str) -> bool:
        """Whether any account (active or not) exists for this platform user."""

    async def add_person(self, name: str, agency_id: int, role: Role, now: datetime, title: str = "") -> int:
        """A new active person; returns its id."""

    async def add_account(self, person_id: int, sender: Sender, now: datetime) -> int:
        """A new active chat account (language Vietnamese) for the person; returns its id."""

    async def accounts_of(self, person_id: int) -> list[ChatAccountInfo]:
        """The person's active accounts, oldest first."""

    async def set_language(self, account_id: int, language: str) -> None: ...

    async def set_preferred(self, person_id: int, account_id: int) -> None:
        """Make ``account_id`` the one reminders go to, and no other of the person's."""

    async def chat_ids(self, platform: Platform, role: Role) -> list[str]:
        """Chat ids of active accounts on ``platform`` whose active person has ``role``."""

    async def recipients(self, role: Role | None, agency_codes: Collection[str] | None = None) -> list[Recipient]:
        """One account per active person with ``role`` (any if None), in these agencies (all if None).

        The account is the person's preferred one if it is active and not blocked, else their oldest
        such account: each message reaches a person once, on one channel.
        """

    async def other_account(self, account_id: int, platforms: Collection[Platform]) -> tuple[int, Platform] | None:
        """Another active, unblocked account of the same person on one of ``platforms`` (preferred first)."""

    async def same_person(self, account_a: int, account_b: int) -> bool: ...

    async def block(self, account_id: int, now: datetime) -> None:
        """The person blocked the bot on this account: nothing more is queued for it."""

    async def blocked_people(self) -> list[str]:
        """'Name (Agency)' of active people with a blocked account."""


class AgencyRepository(Protocol):
    """Agencies and the tasks plans assign to them; plan files are written through ``import_plan``."""

    async def all(self, include_inactive: bool = False) -> list[Agency]:
        """Ordered by kind, then as the plan lists them; without ``include_inactive`` only agencies that are
        active and not dissolved or merged. Each carries its lineage (former names, end, successor)."""

    async def by_code(self, code: str) -> Agency | None:
        """Case and surrounding spaces do not matter."""

    async def tasks_of(self, agency_id: int) -> list[AssignedTask]:
        """The agency's tasks by plan (oldest plan first) and position in the plan."""

    async def all_tasks(self) -> list[TaskListing]: ...

    async def stored_plan(self, number: str) -> StoredPlan:
        """The agency registry with its lineage and the other plans using each agency, and the plan numbered
        ``number`` as stored (its fields, tasks, series and periods), for ``core.plandiff.diff``."""

    async def apply_plan(self, spec: PlanSpec, diff: PlanDiff) -> None:
        """Write the changes ``diff`` lists (made by ``core.plandiff.diff`` from ``stored_plan``)."""

    async def owed_series(self) -> dict[int, list[str]]:
        """For each agency id, the series it owes ("46/KH-UBND:thang"), in plan order."""

    async def plans(self) -> list[PlanListing]:
        """Every loaded plan, the newest first, with how many tasks and series it has."""

    async def rename(self, agency_id: int, name: str, from_day: date) -> None:
        """The agency bears ``name`` from ``from_day``; its current name is kept as its name before then.

        Raises:
            LineageError: ``from_day`` is not after the agency's last rename.
        """

    async def split(self, agency_id: int, from_day: date, successor_ids: list[int], takers: list[int]) -> None:
        """The agency is split from ``from_day`` among ``successor_ids`` (kept in that order): it owes nothing due
        from that day; each of ``takers`` (some or all of the successors) owes from then what it owed (its series
        and their periods due from that day) and takes its tasks with the same role.

        Raises:
            LineageError: the agency has ended already, or a successor is itself or has ended.
        """

    async def add(
        self,
        code: str,
        name: str,
        kind: AgencyKind,
        position: int,
        province: str | None,
        official_code: str | None,
        started_on: date | None = None,
    ) -> int:
        """A new active agency, in being from ``started_on`` (the code is free: the caller checked); its id."""

    async def place(self, agency_id: int, position: int, province: str | None, official_code: str | None) -> None:
        """The agency's place in the official order, its province and official code (kept when None is given)."""

    async def by_official_code(self, official_code: str) -> Agency | None: ...

    async def end(self, agency_id: int, from_day: date, successor_id: int | None) -> None:
        """The agency is dissolved (or merged into ``successor_id``) from ``from_day``: it owes no period due
        from that day and leaves the lists; its history keeps its name.

        Raises:
            LineageError: the agency has ended already, or the successor is itself or has ended.
        """


class PeriodRepository(Protocol):
    """Report periods and the submissions that answer them."""

    async def all(self, due_from: datetime | None = None, due_to: datetime | None = None) -> list[Period]:
        """Ordered by deadline, then series code."""

    async def version(self) -> tuple[object, ...]:
        """A cheap summary that changes whenever a submission is made or undone, a period or its agencies change,
        an agency is added, renamed or ended, or a calendar day is set (one query): what the matrix depends on."""

    async def by_id(self, period_id: int) -> Period | None: ...

    async def find(self, ref: str | None, now: datetime) -> Period | None:
        """By key ("2023-04"), series:key ("thang:2023-04") or label; None if unknown or ambiguous.

        Without ``ref``: the most recently due period at ``now`` (or the first one if none is due yet).
        """

    async def matches(self, ref: str) -> list[Period]:
        """Every period ``ref`` names: a key, series:key or label, optionally after the plan's number and a
        space ("46/KH-UBND thang:2023-04"); several when plans share keys."""

    async def of_agency(self, agency_id: int, due_from: datetime, opens_before: datetime) -> list[AgencyPeriod]:
        """Periods the agency owes, due from ``due_from`` and opening by ``opens_before``, by deadline."""

    async def last_deadlines(self) -> dict[str, datetime]:
        """Each plan's last deadline (plan number → the latest ``due_at`` of its periods, ad-hoc ones aside)."""

    async def status(self, period_id: int) -> list[PeriodStatusRow]:
        """Every active agency owing the period with its live submission, if any."""

    async def statuses(self, period_ids: Collection[int]) -> dict[int, list[PeriodStatusRow]]:
        """``status`` of several periods at once (the matrix's columns), in a few queries."""

    async def submission_detail(self, period_id: int, agency_id: int) -> SubmissionDetail | None:
        """The agency's live submission for the period, with who confirmed it."""

    async def owes(self, agency_id: int, period_id: int) -> bool: ...

    async def live_submission(self, agency_id: int, period_id: int) -> SubmissionInfo | None:
        """The confirmation that has not been undone, if any."""

    async def add_submission(
        self,
        agency_id: int,
        period_id: int,
        at: datetime,
        late: bool,
        via: str,
        person_id: int | None,
        document_number: str | None,
        file_ref: str | None,
        report_file_id: int | None = None,
    ) -> int:
        """Record a confirmation; raises Conflict if a live one exists already."""

    async def attach_file(self, submission_id: int, report_file_id: int) -> None:
        """The file a live confirmation carries (sent after it: a Zalo person's upload link, the dashboard)."""

    async def mark_undone(self, submission_id: int, at: datetime, person_id: int | None) -> None: ...

    async def set_document(self, submission_id: int, agency_id: int, document_number: str) -> bool:
        """Set the document number of the agency's live submission; False if it is not live or not theirs."""

    async def recent_submissions(self, agency_id: int, since: datetime) -> list[AgencyPeriod]:
        """Live confirmations made since ``since``, oldest first."""

    async def latest_adhoc_series(self) -> SeriesRef | None:
        """The ad-hoc series of the most recently issued plan that has one."""

    async def add_period(
        self, series_id: int, key: str, label: str, opens_at: datetime, due_at: datetime, agency_codes: Collection[str]
    ) -> Period:
        """A new period owed by these agencies (unknown codes are ignored)."""

    async def planning_rows(self, due_from: datetime, due_to: datetime) -> list[PlanningRow]:
        """Periods due in [due_from, due_to] with their active owing agencies' codes and series policy."""

    async def confirmations(self, period_ids: Collection[int]) -> dict[tuple[str, int], datetime]:
        """(agency code, period id) → when its live submission was confirmed."""


class OutboxRepository(Protocol):
    """The delivery outbox: rows are written before anything is sent."""

    async def enqueue(self, items: Sequence[NewDelivery], now: datetime) -> int:
        """Add the rows whose dedup key is new (pending, due now); returns how many were added."""

    async def get(self, delivery_id: int) -> StoredDelivery | None: ...

    async def members(self, delivery_id: int) -> list[StoredDelivery]:
        """The row and the rows its message carries (one message per person per moment), oldest first."""

    async def gather(
        self,
        account_id: int,
        kinds: Collection[DeliveryKind],
        taken: Collection[int],
        now: datetime,
        instance: int | None,
    ) -> list[ClaimedDelivery]:
        """Claim the account's other pending rows of ``kinds`` due at ``now`` that have a line (``part``) and are
        carried by no message but one of ``taken`` (rows this caller has claimed); returns them."""

    async def carry(self, head_id: int, member_ids: Collection[int]) -> None:
        """Record that the message of ``head_id`` carries ``member_ids`` (their outcome follows its own: sent,
        retried, failed); with none, the row leaves on its own."""

    async def withdraw(self, delivery_ids: Collection[int], reason: str) -> None:
        """Rows that will not be sent (their report was confirmed before they left): final, not an error."""

    async def release_stale(self, now: datetime, lease: timedelta) -> int:
        """Rows claimed longer ago than ``lease`` go back to pending; returns how many."""

    async def release_orphans(self, instance: int) -> int:
        """Rows claimed by a `nhacviec run` instance that is gone go back to pending at once; returns how many.

        An instance is gone when it no longer holds its lock: on PostgreSQL its advisory lock (the
        database's ``pg_locks``), on SQLite any instance but ``instance`` (one process owns the file).
        Rows claimed by no instance (a CLI drain) wait for the lease instead.
        """

    async def claim_due(
        self, now: datetime, limit: int, platforms: Collection[Platform], instance: int | None = None
    ) -> list[ClaimedDelivery]:
        """Mark up to ``limit`` due pending rows for ``platforms`` as sending by ``instance`` (by priority,
        then age)."""

    async def mark_sent(self, delivery_id: int, message_id: str | None, now: datetime) -> None:
        """Sent: the row and the rows its message carries."""

    async def mark_retry(self, delivery_id: int, error: str, next_at: datetime, count_attempt: bool = True) -> None:
        """Back to pending, not before ``next_at``; the attempt is counted unless it was no fault of the message."""

    async def mark_final(self, delivery_id: int, status: DeliveryStatus, error: str) -> None:
        """Failed or blocked for good; the attempt is counted."""

    async def copies(self, period_id: int, agency_id: int) -> list[ReminderCopy]:
        """The latest reminder of the period each account of the agency's people was sent (focal persons'
        reminders and nudges, leaders' escalations and alerts; sent rows only)."""

    async def acknowledge(self, dedup_key: str, account_id: int, now: datetime) -> bool:
        """Mark that account's delivery seen ("Đã nhận"); False if it was already, or is not theirs."""

    async def reach(self, period_id: int) -> dict[int, Reach]:
        """Per agency id: was any reminder of the period delivered to its people, and was any seen."""

    async def status_counts(self, since: datetime, until: datetime) -> dict[DeliveryStatus, int]:
        """Deliveries (digests aside) created in [since, until) by status."""

    async def figures(self) -> OutboxFigures:
        """Rows by status and kind, and the queue still to send (for the metrics)."""

    async def history(self, period_id: int, agency_id: int) -> list[DeliveryRecord]:
        """Every message about the period to the agency's people, oldest first."""


class WebAccessRepository(Protocol):
    """The dashboard's one-time sign-in links and browser sessions; tokens are stored as hashes only."""

    async def add_login(self, token_hash: str, account_id: int, now: datetime, expires_at: datetime) -> None: ...

    async def use_login(self, token_hash: str, now: datetime) -> int | None:
        """Mark the link used and return its account id; None if unknown, used already or expired (atomic:
        of two browsers opening one link at once, one gets in)."""

    async def add_session(
        self, token_hash: str, account_id: int, csrf: str, now: datetime, expires_at: datetime
    ) -> None: ...

    async def session(self, token_hash: str, now: datetime) -> tuple[int, str] | None:
        """(account id, CSRF token) of a live session; None if unknown, expired or signed out."""

    async def revoke(self, token_hash: str, now: datetime) -> None: ...

    async def revoke_person(self, account_id: int, now: datetime) -> int:
        """Sign out every session of the person holding ``account_id`` (all their accounts); how many."""


class InboxRepository(Protocol):
    """Incoming updates kept from their arrival until answered (``WaitingUpdate``)."""

    async def add(self, platform: Platform, key: str, chat_id: str, body: dict[str, object], now: datetime) -> bool:
        """Keep the update; False when it was kept before (a platform sending it again)."""

    async def waiting(self, platform: Platform, now: datetime, limit: int) -> list[WaitingUpdate]:
        """Updates not answered yet whose next attempt is due, oldest first."""

    async def keep_replies(self, update_id: int, replies: list[dict[str, object]]) -> None: ...

    async def sent_one(self, update_id: int, sent: int) -> None:
        """``sent`` of the update's replies have gone out."""

    async def retry(self, update_id: int, error: str, next_at: datetime) -> None: ...

    async def done(self, update_id: int, now: datetime) -> None: ...

    async def set_aside(self, update_id: int, error: str, now: datetime) -> None:
        """Give the update up (it cannot be answered): done, marked as set aside with why, kept for an admin."""

    async def set_aside_list(self, limit: int) -> list[SetAside]:
        """The updates set aside, newest first."""

    async def prune(self, before: datetime, set_aside_before: datetime) -> int:
        """Forget updates answered before ``before``, and those set aside before ``set_aside_before``; how many."""


class PersonalDataRepository(Protocol):
    """A person's data as the law lets them see it, its erasure, and the retention limits."""

    async def held(self, person_id: int) -> PersonalData | None:
        """Everything held about the person; None if there is no such person."""

    async def erase(self, person_id: int, placeholder: str, now: datetime) -> Erased | None:
        """Erase the person's name, position and chat identifiers everywhere (the name, wherever it was
        written, becomes ``placeholder``), clear the texts sent to them, deactivate their accounts, end their
        sessions and unfinished conversations. Their agency's submissions keep pointing at the person row, so
        history reads "``placeholder`` confirmed …". None if there is no such person."""

    async def clear_texts(self, before: datetime) -> int:
        """Clear the text of every message created before ``before`` that is no longer waiting to be sent
        (the row, its status and times stay); how many."""

    async def drop_audit(self, before: datetime, actions: Sequence[str] | None = None) -> int:
        """Delete audit records older than ``before`` (only of ``actions`` when given); how many."""


class SeenUpdateRepository(Protocol):
    """Incoming updates already handled, by platform and the platform's update id."""

    async def add(self, platform: Platform, key: str, now: datetime) -> bool:
        """Record the update; False when it was recorded before (the commit may still raise Conflict when
        another instance records it at the same moment)."""

    async def prune(self, before: datetime) -> int:
        """Forget updates seen before ``before``; returns how many."""


class NoticeRepository(Protocol):
    async def add(self, person_id: int | None, text: str, audience: dict[str, Any], now: datetime) -> int: ...

    async def acknowledge(self, notice_id: int, account_id: int, now: datetime) -> bool:
        """Record the first acknowledgement of this account's copy; False if there was none to record."""

    async def summaries(self, limit: int) -> list[NoticeSummary]:
        """The latest notices, newest first, with delivered / acknowledged counts."""


class InviteRepository(Protocol):
    async def add(
        self,
        code: str,
        agency_id: int,
        role: Role,
        now: datetime,
        expires_at: datetime,
        actor: str,
        person_id: int | None = None,
        person_name: str | None = None,
        person_title: str | None = None,
    ) -> int: ...

    async def by_code(self, code: str) -> InviteRecord | None: ...

    async def claim(self, invite_id: int, now: datetime) -> bool:
        """Mark the invite used if nobody has; False when someone got there first."""

    async def set_used_by(self, invite_id: int, account_id: int) -> None: ...

    async def revoke_links(self, person_id: int, now: datetime) -> int:
        """End the person's live link codes (expire them now); returns how many."""


class ConversationRepository(Protocol):
    """Choices offered to an account (buttons or numbered lines) and the step of a multi-step command."""

    async def offer(
        self, account_id: int, options: Sequence[tuple[str, dict[str, Any]]], now: datetime, ttl: timedelta
    ) -> list[str]:
        """One menu of (action, payload) options; returns a fresh random token per option, in order."""

    async def choice(self, token: str) -> ChoiceRecord | None: ...

    async def use_menu(self, menu_id: str, now: datetime) -> bool:
        """Use up every unused choice of the menu; False if none was left."""

    async def pick(self, account_id: int, position: int, now: datetime) -> str | None:
        """The token at ``position`` (1-based) of the account's latest menu, if it has not expired."""

    async def state(self, account_id: int, now: datetime) -> tuple[str, dict[str, Any]] | None: ...

    async def set_state(self, account_id: int, flow: str, data: dict[str, Any], expires_at: datetime) -> None: ...

    async def clear_state(self, account_id: int) -> None: ...


class ReminderRunRepository(Protocol):
    """Reminder points that have been handled, so none is handled twice."""

    async def handled_keys(self, since: datetime) -> set[str]: ...

    async def is_handled(self, key: str) -> bool: ...

    async def add(self, key: str, at: datetime, handled_at: datetime, outcome: RunOutcome, deliveries: int) -> None:
        """Raises Conflict if another worker handled the key first."""


class UsageRepository(Protocol):
    """Messages sent per platform and month, and the last quota warning given."""

    async def used(self, platform: Platform, month: str) -> int: ...

    async def take(self, platform: Platform, month: str, n: int, limit: int) -> tuple[int, int] | None:
        """Add ``n`` under a row lock if the month's count stays within ``limit``; returns (counted this month,
        last warned percent), or None (nothing changed) when it would not."""

    async def give_back(self, platform: Platform, month: str, n: int) -> None:
        """Take ``n`` back off the month's count (reserved, not sent)."""

    async def set_warned(self, platform: Platform, month: str, percent: int) -> None: ...


class CalendarRepository(Protocol):
    """The days Sở Nội vụ has added to (or taken back from) the working-day calendar."""

    async def days(self) -> list[CalendarDayInfo]:
        """Every stored day, in date order."""

    async def put(self, day: CalendarDayInfo) -> bool:
        """Store the day (replacing what that date held); True if something changed."""

    async def remove(self, day: date) -> bool:
        """Delete the stored day; False if there was none."""


class AuditRepository(Protocol):
    async def record(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: object | None = None,
        detail: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> None:
        """An audit row, committed with the change it describes."""

    async def count(self, actor: str, action: str, since: datetime, prefix: bool = False) -> int:
        """How many rows of ``action`` by ``actor`` (with ``prefix``: by every actor whose name starts so) since
        ``since``."""


class PlanDraftRepository(Protocol):
    """Drafts read from plan documents while Sở Nội vụ checks them, and the documents, kept with their plans."""

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
    ) -> int: ...

    async def get(self, draft_id: int) -> KeptDraft | None: ...

    async def save(self, draft_id: int, draft: dict[str, Any], now: datetime, version: datetime | None = None) -> bool:
        """Keep ``draft`` as the draft's content; with ``version``, only if the draft was last saved at that instant
        (compare and set: of two officers saving the same form, the second is refused). Whether it was saved."""

    async def imported(self, draft_id: int, plan_number: str, now: datetime) -> None:
        """The draft became (or changed) plan ``plan_number``: its document is kept with that plan."""

    async def document(self, draft_id: int) -> tuple[str, str, bytes] | None:
        """(file name, format, content) of the document a draft was read from; None without one."""

    async def of_plan(self, plan_number: str) -> list[KeptDraft]:
        """The drafts imported as the plan (newest first), each with its document's name and size (not its
        content nor its text)."""


class ReportFileRepository(Protocol):
    """Agencies' report files: the content once per SHA-256 (in the database, or in the files' directory when one is
    configured), each arrival with its agency, period, sender and time."""

    async def add(
        self,
        agency_id: int,
        period_id: int,
        name: str,
        kind: str,
        data: bytes,
        sha256: str,
        at: datetime,
        person_id: int | None,
        via: str,
    ) -> tuple[ReportFile, bool]:
        """Keep the file; the same content of the same agency and period is kept once: (the file, whether new).
        In a directory, the content is written whole under a temporary name and then renamed, so a write that
        breaks off leaves no file under its real name."""

    async def by_id(self, file_id: int) -> ReportFile | None: ...

    async def count(self, agency_id: int, period_id: int, but: str) -> int:
        """How many different files the agency has sent for the period, leaving out the content ``but`` (SHA-256)."""

    async def content(self, file_id: int) -> bytes | None:
        """The bytes, or None when the file is unknown or its content is missing from the directory."""

    async def sent(self, period_id: int) -> dict[int, SentDetail]:
        """Each agency's live submission of the period: who confirmed it and its file."""

    async def unfetched(self) -> list[Unfetched]:
        """Live confirmations that hold a platform's reference to a file but no kept file, oldest first."""


class UnitOfWork(Protocol):
    """One transaction with every repository inside it."""

    accounts: AccountRepository
    agencies: AgencyRepository
    periods: PeriodRepository
    outbox: OutboxRepository
    notices: NoticeRepository
    invites: InviteRepository
    conversations: ConversationRepository
    runs: ReminderRunRepository
    usage: UsageRepository
    calendar: CalendarRepository
    audit: AuditRepository
    updates: SeenUpdateRepository
    web: WebAccessRepository
    drafts: PlanDraftRepository
    privacy: PersonalDataRepository
    inbox: InboxRepository
    files: ReportFileRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""

    async def commit(self) -> None:
        """Make every write of the unit durable at once; raises Conflict on a lost race."""


UnitOfWorkFactory = Callable[[], UnitOfWork]
