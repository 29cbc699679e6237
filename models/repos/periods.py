"""Report periods and submissions."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.deadlines import start_of_day, to_vn
from core.repositories import Conflict
from core.types import (
    Agency,
    AgencyPeriod,
    Period,
    PeriodStatusRow,
    PlanningRow,
    Recurrence,
    SeriesRef,
    SubmissionDetail,
    SubmissionInfo,
)
from models import tables as t
from models.repos import rows
from models.repos.files import SqlReportFiles
from models.repos.rows import lineage


def _agency_period(period: Period, sub: t.Submission | None) -> AgencyPeriod:
    if sub is None:
        return AgencyPeriod(period, None, None)
    return AgencyPeriod(period, sub.confirmed_at, sub.document_number)


def due_from(day: date) -> ColumnElement[bool]:
    """The period falls due on ``day`` or later (a window of periods, not a judgement of standing)."""
    return t.ReportPeriod.due_at >= start_of_day(day)


SLICE = 900  # ids in one IN (…): under SQLite's oldest limit of 999 parameters
AGENCY_COLUMNS = tuple(t.Agency.__table__.c)


class SqlPeriods:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def all(self, due_from: datetime | None = None, due_to: datetime | None = None) -> list[Period]:
        q = rows.period_select().order_by(t.ReportPeriod.due_at, t.ReportSeries.code)
        if due_from is not None:
            q = q.where(t.ReportPeriod.due_at >= due_from)
        if due_to is not None:
            q = q.where(t.ReportPeriod.due_at <= due_to)
        return [rows.period(*r) for r in (await self.s.execute(q)).all()]

    async def by_id(self, period_id: int) -> Period | None:
        row = (await self.s.execute(rows.period_select().where(t.ReportPeriod.id == period_id))).first()
        return rows.period(*row) if row else None

    async def find(self, ref: str | None, now: datetime) -> Period | None:
        q = rows.period_select()
        if ref is None:
            row = (
                await self.s.execute(q.where(t.ReportPeriod.due_at <= now).order_by(t.ReportPeriod.due_at.desc()))
            ).first()
            if row is None:
                row = (await self.s.execute(q.order_by(t.ReportPeriod.due_at))).first()
            return rows.period(*row) if row else None
        found = await self.matches(ref)
        return found[0] if len(found) == 1 else None

    async def matches(self, ref: str) -> list[Period]:
        ref = " ".join(ref.split())
        plan_number, _, rest = ref.partition(" ")
        q = rows.period_select()
        if rest and await self.s.scalar(select(t.Plan.id).where(t.Plan.number == plan_number)) is not None:
            q, ref = q.where(t.Plan.number == plan_number), rest  # "46/KH-UBND thang:2023-04"
        conds = [t.ReportPeriod.label == ref, t.ReportPeriod.key == ref]
        if ":" in ref:
            series, key = ref.split(":", 1)
            conds.append(and_(t.ReportSeries.code == series, t.ReportPeriod.key == key))
        found = (await self.s.execute(q.where(or_(*conds)).order_by(t.ReportPeriod.due_at, t.Plan.id))).all()
        return [rows.period(*r) for r in found]

    async def of_agency(self, agency_id: int, due_from: datetime, opens_before: datetime) -> list[AgencyPeriod]:
        found = (
            await self.s.execute(
                rows.period_select()
                .join(t.PeriodAgency, t.PeriodAgency.period_id == t.ReportPeriod.id)
                .where(
                    t.PeriodAgency.agency_id == agency_id,
                    t.ReportPeriod.due_at >= due_from,
                    t.ReportPeriod.opens_at <= opens_before,
                )
                .order_by(t.ReportPeriod.due_at, t.ReportPeriod.id)
            )
        ).all()
        live = await self._live(agency_id, [r[0].id for r in found])
        return [_agency_period(rows.period(*r), live.get(r[0].id)) for r in found]

    async def last_deadlines(self) -> dict[str, datetime]:
        found = await self.s.execute(
            select(t.Plan.number, func.max(t.ReportPeriod.due_at))
            .join(t.ReportSeries, t.ReportSeries.plan_id == t.Plan.id)
            .join(t.ReportPeriod, t.ReportPeriod.series_id == t.ReportSeries.id)
            .where(t.ReportSeries.recurrence != Recurrence.AD_HOC.value)
            .group_by(t.Plan.number)
        )
        return {number: last for number, last in found.tuples().all() if last is not None}

    async def _live(self, agency_id: int, period_ids: list[int]) -> dict[int, t.Submission]:
        found = await self.s.scalars(
            select(t.Submission).where(
                t.Submission.agency_id == agency_id,
                t.Submission.period_id.in_(period_ids),
                t.Submission.undone_at.is_(None),
            )
        )
        return {x.period_id: x for x in found.all()}

    async def status(self, period_id: int) -> list[PeriodStatusRow]:
        return (await self.statuses([period_id])).get(period_id, [])

    async def version(self) -> tuple[object, ...]:
        def one(value: Any, table: Any) -> Any:
            return select(value).select_from(table).scalar_subquery()

        row = (
            await self.s.execute(
                select(
                    one(func.count(), t.Submission),
                    one(func.max(t.Submission.id), t.Submission),
                    one(func.count(t.Submission.undone_at), t.Submission),
                    one(func.coalesce(func.sum(t.Submission.report_file_id), 0), t.Submission),  # files joined
                    one(func.count(), t.ReportPeriod),
                    one(func.max(t.ReportPeriod.id), t.ReportPeriod),
                    one(func.max(t.ReportPeriod.due_at), t.ReportPeriod),
                    one(func.count(), t.PeriodAgency),
                    one(func.count(), t.Agency),
                    one(func.count(t.Agency.ended_on), t.Agency),
                    one(func.coalesce(func.sum(t.Agency.position), 0), t.Agency),
                    one(func.count(), t.AgencyName),
                    one(func.count(), t.CalendarDay),
                )
            )
        ).one()
        return tuple(str(v) for v in row)

    async def statuses(self, period_ids: Collection[int]) -> dict[int, list[PeriodStatusRow]]:
        # A province of thousands owes every period: the agencies are read once, in slices, and each period's
        # rows as bare columns, so no step holds the event loop long (issue 24: /healthz during the matrix).
        ids = list(period_ids)
        due_day = {
            pid: to_vn(due_at).date()
            for pid, due_at in (
                await self.s.execute(select(t.ReportPeriod.id, t.ReportPeriod.due_at).where(t.ReportPeriod.id.in_(ids)))
            ).tuples()
        }
        owing_ids = select(t.PeriodAgency.agency_id).where(t.PeriodAgency.period_id.in_(ids))
        ordered = (
            await self.s.scalars(
                select(t.Agency.id)
                .where(t.Agency.id.in_(owing_ids), t.Agency.active.is_(True))
                .order_by(*rows.AGENCY_ORDER)
            )
        ).all()
        order = {agency_id: i for i, agency_id in enumerate(ordered)}
        known = await lineage(self.s)
        agencies: dict[int, Agency] = {}  # one per agency for all the periods (the name of its time if renamed)
        for start in range(0, len(ordered), SLICE):
            found = await self.s.execute(select(*AGENCY_COLUMNS).where(t.Agency.id.in_(ordered[start : start + SLICE])))
            agencies.update((r.id, rows.agency(r, known)) for r in found.all())  # type: ignore[arg-type]
        out: dict[int, list[PeriodStatusRow]] = {}
        for pid, day in due_day.items():
            of_period = select(t.PeriodAgency.agency_id).where(t.PeriodAgency.period_id == pid)
            owing = (await self.s.scalars(of_period)).all()
            live = await self.s.execute(
                select(
                    t.Submission.agency_id, t.Submission.confirmed_at, t.Submission.document_number, t.ReportFile.name
                )
                .outerjoin(t.ReportFile, t.ReportFile.id == t.Submission.report_file_id)
                .where(t.Submission.period_id == pid, t.Submission.undone_at.is_(None))
            )
            sent = {agency_id: (at, number, file) for agency_id, at, number, file in live.tuples().all()}
            found_rows = []
            for agency_id in sorted((a for a in owing if a in order), key=order.__getitem__):
                agency = agencies[agency_id]
                if agency.ended_on is not None and agency.ended_on <= day:  # dissolved or merged by then
                    continue
                at, number, file = sent.get(agency_id, (None, None, None))
                found_rows.append(
                    PeriodStatusRow(
                        agency=replace(agency, name=agency.name_on(day)) if agency.former_names else agency,
                        submitted_at=at,
                        document_number=number,
                        file_name=file,
                    )
                )
            out[pid] = found_rows
        return out

    async def owes(self, agency_id: int, period_id: int) -> bool:
        found = await self.s.scalar(
            select(t.PeriodAgency.period_id).where(
                t.PeriodAgency.period_id == period_id, t.PeriodAgency.agency_id == agency_id
            )
        )
        return found is not None

    async def live_submission(self, agency_id: int, period_id: int) -> SubmissionInfo | None:
        sub = await self.s.scalar(
            select(t.Submission).where(
                t.Submission.agency_id == agency_id,
                t.Submission.period_id == period_id,
                t.Submission.undone_at.is_(None),
            )
        )
        return SubmissionInfo(sub.id, sub.confirmed_at, sub.document_number) if sub else None

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
        sub = t.Submission(
            agency_id=agency_id,
            period_id=period_id,
            confirmed_at=at,
            confirmed_by_person_id=person_id,
            confirmed_via=via,
            document_number=document_number,
            file_ref=file_ref,
            report_file_id=report_file_id,
            late=late,
        )
        self.s.add(sub)
        try:
            await self.s.flush()
        except IntegrityError as exc:
            raise Conflict("a live submission exists already") from exc
        return sub.id

    async def attach_file(self, submission_id: int, report_file_id: int) -> None:
        await self.s.execute(
            update(t.Submission).where(t.Submission.id == submission_id).values(report_file_id=report_file_id)
        )

    async def mark_undone(self, submission_id: int, at: datetime, person_id: int | None) -> None:
        await self.s.execute(
            update(t.Submission)
            .where(t.Submission.id == submission_id)
            .values(undone_at=at, undone_by_person_id=person_id)
        )

    async def set_document(self, submission_id: int, agency_id: int, document_number: str) -> bool:
        done = await self.s.execute(
            update(t.Submission)
            .where(
                t.Submission.id == submission_id,
                t.Submission.agency_id == agency_id,
                t.Submission.undone_at.is_(None),
            )
            .values(document_number=document_number)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def recent_submissions(self, agency_id: int, since: datetime) -> list[AgencyPeriod]:
        found = (
            await self.s.execute(
                rows.period_select()
                .add_columns(t.Submission)
                .join(t.Submission, t.Submission.period_id == t.ReportPeriod.id)
                .where(
                    t.Submission.agency_id == agency_id,
                    t.Submission.undone_at.is_(None),
                    t.Submission.confirmed_at >= since,
                )
                .order_by(t.Submission.confirmed_at)
            )
        ).all()
        return [_agency_period(rows.period(p, s, plan, rec, via), sub) for p, s, plan, rec, via, sub in found]

    async def latest_adhoc_series(self) -> SeriesRef | None:
        row = (
            await self.s.execute(
                select(t.ReportSeries.id, t.ReportSeries.name)
                .join(t.Plan, t.Plan.id == t.ReportSeries.plan_id)
                .where(t.ReportSeries.recurrence == Recurrence.AD_HOC.value)
                .order_by(t.Plan.issued_on.desc(), t.Plan.id.desc())
                .limit(1)
            )
        ).first()
        return SeriesRef(int(row[0]), str(row[1])) if row else None

    async def add_period(
        self, series_id: int, key: str, label: str, opens_at: datetime, due_at: datetime, agency_codes: Collection[str]
    ) -> Period:
        period = t.ReportPeriod(
            series_id=series_id, key=f"{key}-{secrets.token_hex(3)}", label=label, opens_at=opens_at, due_at=due_at
        )
        self.s.add(period)
        await self.s.flush()
        ids = (await self.s.scalars(select(t.Agency.id).where(t.Agency.code.in_(list(agency_codes))))).all()
        self.s.add_all(t.PeriodAgency(period_id=period.id, agency_id=a) for a in ids)
        await self.s.flush()
        made = await self.by_id(period.id)
        assert made is not None
        return made

    async def planning_rows(self, due_from: datetime, due_to: datetime) -> list[PlanningRow]:
        found = (
            await self.s.execute(
                rows.period_select()
                .where(t.ReportPeriod.due_at >= due_from, t.ReportPeriod.due_at <= due_to)
                .order_by(t.ReportPeriod.due_at, t.ReportPeriod.id)
            )
        ).all()
        ids = [r[0].id for r in found]
        due_day = {r[0].id: to_vn(r[0].due_at).date() for r in found}
        owing: dict[int, list[str]] = defaultdict(list)
        for pid, code, ended_on in (
            await self.s.execute(
                select(t.PeriodAgency.period_id, t.Agency.code, t.Agency.ended_on)
                .join(t.Agency, t.Agency.id == t.PeriodAgency.agency_id)
                .where(t.PeriodAgency.period_id.in_(ids), t.Agency.active.is_(True))
                .order_by(*rows.AGENCY_ORDER)
            )
        ).all():
            if ended_on is None or due_day[pid] < ended_on:
                owing[pid].append(code)
        return [PlanningRow(rows.period(*r), tuple(owing[r[0].id]), r[1].policy, r[1].recurrence) for r in found]

    async def confirmations(self, period_ids: Collection[int]) -> dict[tuple[str, int], datetime]:
        found = await self.s.execute(
            select(t.Submission.period_id, t.Agency.code, t.Submission.confirmed_at)
            .join(t.Agency, t.Agency.id == t.Submission.agency_id)
            .where(t.Submission.period_id.in_(list(period_ids)), t.Submission.undone_at.is_(None))
        )
        return {(code, pid): at for pid, code, at in found.all()}

    async def submission_detail(self, period_id: int, agency_id: int) -> SubmissionDetail | None:
        row = (
            await self.s.execute(
                select(t.Submission, t.Person.display_name)
                .outerjoin(t.Person, t.Person.id == t.Submission.confirmed_by_person_id)
                .where(
                    t.Submission.period_id == period_id,
                    t.Submission.agency_id == agency_id,
                    t.Submission.undone_at.is_(None),
                )
            )
        ).first()
        if row is None:
            return None
        sub, name = row
        via = await rows.confirmed_from(self.s, sub.confirmed_via)
        file = await SqlReportFiles(self.s).by_id(sub.report_file_id) if sub.report_file_id else None
        return SubmissionDetail(sub.confirmed_at, name or "", via, sub.document_number, file)
