"""The one place that builds the SQL side: engine, unit-of-work factory, schema checks, rules from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from core.planning.calendar import load_calendar
from core.planning.policy import ReminderPolicy
from core.repositories import UnitOfWorkFactory
from core.usecases.rules import Rules
from models import db
from models.uow import uow_factory
from nhacviec.config import Settings

SchemaOutOfDate = db.SchemaOutOfDate
DatabaseUrlError = db.DatabaseUrlError


def policy_from(settings: Settings) -> ReminderPolicy:
    return ReminderPolicy(
        offsets_days=tuple(settings.reminder_offsets_days),
        send_time=settings.reminder_send_time,
        work_start=settings.working_hours_start,
        work_end=settings.working_hours_end,
        overdue_every=settings.overdue_every_working_days,
        overdue_max=settings.overdue_max_reminders,
        escalate_after=settings.escalate_after_working_days,
        leader_unseen_at=settings.leader_unseen_time,
    )


def rules_from(settings: Settings) -> Rules:
    """Policy, calendar (raises CalendarFileError) and lifetimes as configured."""
    return Rules(
        policy=policy_from(settings),
        calendar=load_calendar(settings.calendar_file),
        invite_ttl=timedelta(days=settings.invite_default_days),
        group_invite_ttl=timedelta(days=settings.group_invite_days),
        admin_agency=settings.admin_agency,
        extend_day_off=settings.deadline_on_day_off == "next_working_day",
        data_controller=settings.data_controller.strip(),
        text_retention=timedelta(days=settings.message_text_retention_days),
        audit_retention_years=settings.audit_retention_years,
        reading_seconds=settings.reader_seconds,
        reading_memory_mb=settings.reader_memory_mb,
        file_limit_mb=settings.report_file_max_mb,
    )


@dataclass
class Wiring:
    settings: Settings
    engine: AsyncEngine
    uows: UnitOfWorkFactory

    def rules(self) -> Rules:
        return rules_from(self.settings)

    async def upgrade(self) -> tuple[str | None, str | None]:
        """Apply the migrations; (revision before, revision after)."""
        before = await db.current_revision(self.engine)
        await db.upgrade(self.engine)
        return before, await db.current_revision(self.engine)


@asynccontextmanager
async def wired(settings: Settings, check_schema: bool = True) -> AsyncIterator[Wiring]:
    """The database side for one command or one service run; raises SchemaOutOfDate when behind."""
    engine = db.make_engine(settings.database_url, settings.database_schema, create=not check_schema)
    try:
        if check_schema:
            await db.require_current_schema(engine)
        yield Wiring(settings, engine, uow_factory(db.session_factory(engine), settings.report_files_dir))
    finally:
        await engine.dispose()
