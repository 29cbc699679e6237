"""The database refuses what must never exist twice, and stores instants as aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from core import errors
from core.deadlines import VN_TZ
from core.repositories import Conflict
from core.types import OPERATOR, Actor, Role, SubmissionReceipt
from core.usecases import plan, submissions
from core.usecases.rules import Rules
from models import tables as t
from tests.conftest import Database

NOW = datetime(2023, 4, 10, 9, 0, tzinfo=VN_TZ)


async def _ids(db: Database) -> tuple[int, int]:
    async with db.uows() as uow:
        agency = await plan.agency(uow, "STP")
        period = await plan.period(uow, "thang:2023-04", NOW)
        return agency.id, period.id


async def _submit(db: Database, agency_id: int, period_id: int, at: datetime) -> SubmissionReceipt:
    async with db.uows() as uow:
        receipt = await submissions.submit(uow, OPERATOR, agency_id, period_id, at, Rules(), "12/BC-STP")
        await uow.commit()
    return receipt


async def test_agency_code_is_unique(loaded: Database) -> None:
    with pytest.raises(IntegrityError):
        async with loaded.sessions.begin() as s:
            s.add(t.Agency(code="SNV", name="Trùng", kind="department", active=True))


async def test_task_ref_is_unique_within_a_plan(loaded: Database) -> None:
    with pytest.raises(IntegrityError):
        async with loaded.sessions.begin() as s:
            plan = await s.scalar(select(t.Plan))
            assert plan
            s.add(t.Task(plan_id=plan.id, ref="II.1", position=99, title="x", text="x"))


async def test_one_live_submission_per_agency_and_period(loaded: Database) -> None:
    agency_id, period_id = await _ids(loaded)
    assert (await _submit(loaded, agency_id, period_id, NOW)).late is False
    with pytest.raises(errors.AlreadySubmitted):
        await _submit(loaded, agency_id, period_id, NOW)
    with pytest.raises(IntegrityError):  # the index holds even when the check above is bypassed
        async with loaded.sessions.begin() as s:
            s.add(
                t.Submission(agency_id=agency_id, period_id=period_id, confirmed_at=NOW, confirmed_via="x", late=False)
            )
    async with loaded.uows() as uow:  # …and the repository reports it as a lost race
        with pytest.raises(Conflict):
            await uow.periods.add_submission(agency_id, period_id, NOW, False, "x", None, None, None)


async def test_undo_is_recorded_and_a_new_submission_is_then_allowed(loaded: Database) -> None:
    agency_id, period_id = await _ids(loaded)
    await _submit(loaded, agency_id, period_id, NOW)
    actor = Actor("test", Role.FOCAL, agency_id=agency_id)
    async with loaded.uows() as uow:
        await submissions.undo(uow, actor, period_id, NOW + timedelta(hours=1), Rules())
        await uow.commit()
    late = datetime(2023, 4, 18, 8, 0, tzinfo=VN_TZ)  # Saturday 15/4 ran to Monday 17/4 (Điều 148)
    assert (await _submit(loaded, agency_id, period_id, late)).late is True
    async with loaded.sessions() as s:
        rows = (await s.scalars(select(t.Submission).order_by(t.Submission.id))).all()
        assert [r.undone_at is not None for r in rows] == [True, False]
        actions = [a.action for a in (await s.scalars(select(t.AuditLog).order_by(t.AuditLog.id))).all()]
        assert actions[-3:] == ["submit", "undo_submit", "submit"]
    async with loaded.uows() as uow:
        with pytest.raises(errors.NothingToUndo):
            await submissions.undo(uow, actor, period_id + 1000, NOW, Rules())
    async with loaded.uows() as uow:  # the undo window is 24 hours
        with pytest.raises(errors.UndoTooLate):
            await submissions.undo(uow, actor, period_id, late + timedelta(hours=25), Rules())


async def test_agency_not_owing_the_period_cannot_submit(loaded: Database) -> None:
    _, period_id = await _ids(loaded)
    async with loaded.uows() as uow:
        other = await plan.agency(uow, "BDVTU")
    with pytest.raises(errors.NotOwed):
        await _submit(loaded, other.id, period_id, NOW)


async def test_delivery_dedup_key_is_unique(loaded: Database) -> None:
    async with loaded.sessions.begin() as s:
        snv = await s.scalar(select(t.Agency).where(t.Agency.code == "SNV"))
        assert snv
        person = t.Person(display_name="Nguyễn Văn A", agency_id=snv.id, role="focal", active=True, created_at=NOW)
        s.add(person)
        await s.flush()
        acc = t.ChatAccount(
            person_id=person.id,
            platform="console",
            platform_user_id="a",
            chat_id="a",
            language="vi",
            active=True,
            created_at=NOW,
        )
        s.add(acc)
        await s.flush()
        account_id = acc.id

    def delivery() -> t.Delivery:
        return t.Delivery(
            dedup_key="k1",
            account_id=account_id,
            kind="before",
            priority=1,
            text="x",
            status="pending",
            attempts=0,
            next_attempt_at=NOW,
            created_at=NOW,
        )

    async with loaded.sessions.begin() as s:
        s.add(delivery())
    with pytest.raises(IntegrityError):
        async with loaded.sessions.begin() as s:
            s.add(delivery())


async def test_instants_come_back_aware_in_utc(loaded: Database) -> None:
    async with loaded.sessions() as s:
        period = await s.scalar(select(t.ReportPeriod).where(t.ReportPeriod.key == "2023-04"))
        assert period
        assert period.due_at.tzinfo is not None
        assert period.due_at == datetime(2023, 4, 15, 16, 59, 59, tzinfo=UTC)


async def test_naive_datetime_is_refused(loaded: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with loaded.sessions.begin() as s:
            s.add(t.Plan(number="1/KH", title="x", issuing_body="x", issued_on=NOW.date(), signer="x", year=2023))
            s.add(t.AuditLog(at=datetime(2023, 1, 1), actor="x", action="x", entity="x", detail={}))
