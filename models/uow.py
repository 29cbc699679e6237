"""SqlUnitOfWork: one AsyncSession, one transaction, every repository over it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.repositories import (
    AccountRepository,
    AgencyRepository,
    AuditRepository,
    CalendarRepository,
    Conflict,
    ConversationRepository,
    InboxRepository,
    InviteRepository,
    NoticeRepository,
    OutboxRepository,
    PeriodRepository,
    PersonalDataRepository,
    PlanDraftRepository,
    ReminderRunRepository,
    ReportFileRepository,
    SeenUpdateRepository,
    UsageRepository,
    WebAccessRepository,
)
from models.repos.accounts import SqlAccounts
from models.repos.agencies import SqlAgencies
from models.repos.audit import SqlAudit
from models.repos.calendar import SqlCalendar
from models.repos.conversations import SqlConversations
from models.repos.drafts import SqlDrafts
from models.repos.files import SqlReportFiles
from models.repos.inbox import SqlInbox
from models.repos.invites import SqlInvites
from models.repos.notices import SqlNotices
from models.repos.outbox import SqlOutbox
from models.repos.periods import SqlPeriods
from models.repos.privacy import SqlPersonalData
from models.repos.runs import SqlRuns
from models.repos.updates import SqlSeenUpdates
from models.repos.usage import SqlUsage
from models.repos.web import SqlWebAccess


class SqlUnitOfWork:
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

    def __init__(self, sessions: async_sessionmaker[AsyncSession], files_dir: Path | None = None) -> None:
        self._sessions = sessions
        self._files_dir = files_dir
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        s = self._session = self._sessions()
        self.accounts = SqlAccounts(s)
        self.agencies = SqlAgencies(s)
        self.periods = SqlPeriods(s)
        self.outbox = SqlOutbox(s)
        self.notices = SqlNotices(s)
        self.invites = SqlInvites(s)
        self.conversations = SqlConversations(s)
        self.runs = SqlRuns(s)
        self.usage = SqlUsage(s)
        self.calendar = SqlCalendar(s)
        self.audit = SqlAudit(s)
        self.updates = SqlSeenUpdates(s)
        self.web = SqlWebAccess(s)
        self.drafts = SqlDrafts(s)
        self.privacy = SqlPersonalData(s)
        self.inbox = SqlInbox(s)
        self.files = SqlReportFiles(s, self._files_dir)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._session is not None
        try:
            await self._session.rollback()  # a no-op after commit
        finally:
            await self._session.close()
            self._session = None

    async def commit(self) -> None:
        assert self._session is not None, "commit outside 'async with'"
        try:
            await self._session.commit()
        except IntegrityError as exc:
            raise Conflict(str(exc.orig)) from exc


def uow_factory(
    sessions: async_sessionmaker[AsyncSession], files_dir: Path | None = None
) -> Callable[[], SqlUnitOfWork]:
    """A zero-argument callable that makes a fresh unit of work (the core's UnitOfWorkFactory); report files' content
    goes to ``files_dir`` when given, else into the database."""
    return lambda: SqlUnitOfWork(sessions, files_dir)
