"""Recording and undoing a submission (a confirmed report) for an agency and a period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.deadlines import is_late
from models import audit
from models.tables import PeriodAgency, ReportPeriod, Submission


class SubmissionError(Exception):
    """A submission that cannot be recorded or undone; the message says why (Vietnamese), ``code`` for programs."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


async def live_submission(session: AsyncSession, agency_id: int, period_id: int) -> Submission | None:
    """The agency's confirmation for the period that has not been undone, if any."""
    live: Submission | None = await session.scalar(
        select(Submission).where(
            Submission.agency_id == agency_id, Submission.period_id == period_id, Submission.undone_at.is_(None)
        )
    )
    return live


async def record_submission(
    session: AsyncSession,
    agency_id: int,
    period_id: int,
    at: datetime,
    via: str,
    person_id: int | None = None,
    document_number: str | None = None,
    file_ref: str | None = None,
) -> Submission:
    """Record that the agency sent its report for the period. The caller commits."""
    period = await session.get(ReportPeriod, period_id)
    if period is None:
        raise SubmissionError("Không tìm thấy kỳ báo cáo.", "period_unknown")
    owes = await session.scalar(
        select(PeriodAgency).where(PeriodAgency.period_id == period_id, PeriodAgency.agency_id == agency_id)
    )
    if owes is None:
        raise SubmissionError("Cơ quan không thuộc diện phải nộp kỳ báo cáo này.", "not_owed")
    live = await live_submission(session, agency_id, period_id)
    if live is not None:
        raise SubmissionError("Kỳ báo cáo này đã được xác nhận nộp trước đó.", "already_submitted")
    sub = Submission(
        agency_id=agency_id,
        period_id=period_id,
        confirmed_at=at,
        confirmed_by_person_id=person_id,
        confirmed_via=via,
        document_number=document_number,
        file_ref=file_ref,
        late=is_late(at, period.due_at),
    )
    session.add(sub)
    await session.flush()
    audit.record(
        session,
        via,
        "submit",
        "submission",
        sub.id,
        {
            "agency_id": agency_id,
            "period_id": period_id,
            "late": sub.late,
            "document_number": document_number,
        },
        at=at,
    )
    return sub


async def undo_submission(
    session: AsyncSession,
    agency_id: int,
    period_id: int,
    at: datetime,
    via: str,
    person_id: int | None = None,
) -> Submission:
    """Mark the live submission undone (the row stays). The caller commits."""
    live = await live_submission(session, agency_id, period_id)
    if live is None:
        raise SubmissionError("Chưa có xác nhận nộp nào để hủy.", "nothing_to_undo")
    live.undone_at = at
    live.undone_by_person_id = person_id
    audit.record(
        session,
        via,
        "undo_submit",
        "submission",
        live.id,
        {"agency_id": agency_id, "period_id": period_id},
        at=at,
    )
    return live
