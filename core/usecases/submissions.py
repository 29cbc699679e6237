"""Confirming that a report was sent, and undoing it."""

from __future__ import annotations

from datetime import datetime

from core.errors import AlreadySubmitted, NothingToUndo, NotOwed, PeriodUnknown, UndoTooLate
from core.repositories import UnitOfWork
from core.standing import past
from core.types import Actor, AgencyPeriod, Period, Role, SubmissionReceipt
from core.usecases import reminder_actions
from core.usecases.rules import Rules, effective_rules


async def submit(
    uow: UnitOfWork,
    actor: Actor,
    agency_id: int,
    period_id: int,
    at: datetime,
    rules: Rules,
    document_number: str | None = None,
    file_ref: str | None = None,
    report_file_id: int | None = None,
    via: str | None = None,
) -> SubmissionReceipt:
    """Record that ``agency_id`` sent its report for the period at ``at`` (on time or late by the deadline), with
    the report file kept before (``report_files.receive``) when there is one. ``via`` names where it was recorded
    when that is not the actor's own account (the dashboard: "web").

    A focal person or leader confirms for their own agency only; Sở Nội vụ's admins and the operator for any.
    """
    if actor.role is not Role.ADMIN and actor.agency_id != agency_id:
        raise NotOwed("an account confirms for its own agency")
    period = await owed_period(uow, agency_id, period_id)
    if await uow.periods.live_submission(agency_id, period_id) is not None:
        raise AlreadySubmitted(period.label)
    late = past(period.due_at, (await effective_rules(uow, rules)).deadlines, at)  # kept with the row, as it was then
    sub_id = await uow.periods.add_submission(
        agency_id, period_id, at, late, via or actor.label, actor.person_id, document_number, file_ref, report_file_id
    )
    await uow.audit.record(
        actor.label,
        "submit",
        "submission",
        sub_id,
        {
            "agency_id": agency_id,
            "period_id": period_id,
            "late": late,
            "document_number": document_number,
            "report_file_id": report_file_id,
        },
        at=at,
    )
    await reminder_actions.tell_agency(uow, agency_id, period, sub_id, actor.name, at, actor.account_id)
    attached = file_ref is not None or report_file_id is not None
    return SubmissionReceipt(period, at, late, document_number, attached, sub_id)


async def owed_period(uow: UnitOfWork, agency_id: int, period_id: int) -> Period:
    """The period, which the agency owes.

    Raises:
        PeriodUnknown: no such period.
        NotOwed: the agency does not owe it.
    """
    period = await uow.periods.by_id(period_id)
    if period is None:
        raise PeriodUnknown(str(period_id))
    if not await uow.periods.owes(agency_id, period_id):
        raise NotOwed(period.label)
    return period


async def set_document(uow: UnitOfWork, actor: Actor, submission_id: int, document_number: str) -> bool:
    """Add the document number to the agency's live submission (the optional step after a button)."""
    if actor.agency_id is None:
        return False
    done = await uow.periods.set_document(submission_id, actor.agency_id, document_number)
    if done:
        await uow.audit.record(
            actor.label, "set_document_number", "submission", submission_id, {"document_number": document_number}
        )
    return done


async def recent(uow: UnitOfWork, agency_id: int, now: datetime, rules: Rules) -> list[AgencyPeriod]:
    """Confirmations of the agency that can still be undone."""
    return await uow.periods.recent_submissions(agency_id, now - rules.undo_window)


async def undo(uow: UnitOfWork, actor: Actor, period_id: int, now: datetime, rules: Rules) -> Period:
    """Undo the agency's confirmation of the period, if it was made within the undo window."""
    if actor.agency_id is None:
        raise NothingToUndo()
    live = await uow.periods.live_submission(actor.agency_id, period_id)
    if live is None:
        raise NothingToUndo()
    if live.confirmed_at < now - rules.undo_window:
        raise UndoTooLate()
    await uow.periods.mark_undone(live.id, now, actor.person_id)
    period_row = await uow.periods.by_id(period_id)
    assert period_row is not None
    await reminder_actions.restore_agency(uow, actor.agency_id, period_row, live.id, now)
    await uow.audit.record(
        actor.label,
        "undo_submit",
        "submission",
        live.id,
        {"agency_id": actor.agency_id, "period_id": period_id},
        at=now,
    )
    period = await uow.periods.by_id(period_id)
    assert period is not None
    return period
