"""The compliance matrix of the dashboard: agencies × periods of a plan, in the terms of the Government Office's
tracking ("đúng hạn", "nộp muộn", "chưa nộp", "chưa đến hạn"), with working days late, on-time rates per period
and per agency, and the detail of one cell. Admins see every agency; anyone else their own agency only."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core import vietnamese
from core.errors import AgencyUnknown, NotAllowed, PeriodUnknown
from core.repositories import UnitOfWork
from core.standing import judge
from core.types import (
    Actor,
    Agency,
    AgencyKind,
    DeliveryRecord,
    Period,
    PeriodStatusRow,
    Standing,
    SubmissionDetail,
)
from core.usecases.rules import Rules, effective_rules, for_agency

PAGE_ROWS = 200  # agencies a matrix page shows: a province's departments and communes fit on one
YIELD_EVERY = 100  # agencies judged between two turns of the event loop


class CellState(enum.StrEnum):
    """A ``Standing`` (``core.standing.judge`` decides it), or not owed."""

    ON_TIME = Standing.ON_TIME.value  # đúng hạn
    LATE = Standing.LATE.value  # nộp muộn
    MISSING = Standing.MISSING.value  # chưa nộp (the deadline has passed)
    NOT_DUE = Standing.NOT_DUE.value  # chưa đến hạn (not sent, the deadline is still ahead)
    NOT_OWED = "not_owed"  # the agency does not owe this period


@dataclass(frozen=True, slots=True)
class Cell:
    state: CellState
    late_days: int = 0  # working days past the deadline: when it was sent (late), or so far (missing)
    submitted_at: datetime | None = None
    file: bool = False  # the confirmation carries the report file


@dataclass(frozen=True, slots=True)
class Row:
    agency: Agency
    cells: tuple[Cell, ...]

    @property
    def on_time_rate(self) -> float | None:
        """On time ÷ periods due (sent or not), None when nothing is due yet."""
        due = [c for c in self.cells if c.state in (CellState.ON_TIME, CellState.LATE, CellState.MISSING)]
        return sum(c.state is CellState.ON_TIME for c in due) / len(due) if due else None


@dataclass(frozen=True, slots=True)
class Column:
    """One period with how many owing agencies stand how; both the matrix and the trends page show these."""

    period: Period
    counts: dict[CellState, int]

    @property
    def on_time(self) -> int:
        return self.counts.get(CellState.ON_TIME, 0)

    @property
    def late(self) -> int:
        return self.counts.get(CellState.LATE, 0)

    @property
    def overdue(self) -> int:
        return self.counts.get(CellState.MISSING, 0)

    @property
    def not_due(self) -> int:
        return self.counts.get(CellState.NOT_DUE, 0)

    @property
    def not_sent(self) -> int:
        """Not sent yet: overdue, or not yet due."""
        return self.overdue + self.not_due

    @property
    def on_time_rate(self) -> float | None:
        """On time ÷ agencies whose deadline has passed or who sent; None when nothing is due yet."""
        due = self.on_time + self.late + self.overdue
        return self.on_time / due if due else None


@dataclass(frozen=True, slots=True)
class Matrix:
    plans: tuple[str, ...]  # every plan number, for the filter
    series: tuple[tuple[str, str], ...]  # (code, name) of the chosen plan's series
    plan: str | None
    columns: tuple[Column, ...]
    groups: tuple[tuple[AgencyKind, tuple[Row, ...]], ...]  # this page's rows: departments, districts, others
    rows: tuple[Row, ...]  # every row, in the order of the groups
    page: int = 1
    pages: int = 1
    sizes: dict[AgencyKind, int] | None = None  # every group's size (a page may show part of one)

    def ranking(self) -> list[Row]:
        """Agencies by on-time rate, best first (those with nothing due last), then by name."""
        return sorted(
            self.rows,
            key=lambda r: (-(r.on_time_rate if r.on_time_rate is not None else -1), vietnamese.sort_key(r.agency.name)),
        )


def _cell(
    row: PeriodStatusRow | None, period: Period, now: datetime, rules: Rules, seen: dict[tuple[int, object, bool], Cell]
) -> Cell:
    """The cell's standing; judged once per column and instant of sending (``seen``): every agency that has not
    sent shares its column's verdict, so a province of thousands does not walk the calendar once per cell."""
    if row is None:
        return Cell(CellState.NOT_OWED)
    key = (period.id, row.submitted_at, row.file_name is not None)
    if key not in seen:
        verdict = judge(period.due_at, row.submitted_at, rules.deadlines, now)
        seen[key] = Cell(CellState(verdict.standing.value), verdict.days, row.submitted_at, row.file_name is not None)
    return seen[key]


async def matrix(
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    now: datetime,
    plan: str | None = None,
    series: str | None = None,
    kind: AgencyKind | None = None,
    page: int = 1,
) -> Matrix:
    """The matrix of one plan (default: the one with the latest deadline), optionally one series and kind; the
    counts, rates and ranking cover every agency, the rows shown are ``page`` of ``PAGE_ROWS``."""
    rules = await effective_rules(uow, rules)
    every = await uow.periods.all()
    plans = tuple(dict.fromkeys(p.plan_number for p in sorted(every, key=lambda p: p.due_at, reverse=True)))
    chosen = plan if plan in plans else (plans[0] if plans else None)
    of_plan = [p for p in every if p.plan_number == chosen]
    series_list = tuple(dict.fromkeys((p.series_code, p.series_name) for p in of_plan))
    periods = [p for p in of_plan if series is None or p.series_code == series]
    statuses: list[dict[int, PeriodStatusRow]] = []
    agencies: dict[int, Agency] = {}
    by_period = await uow.periods.statuses([p.id for p in periods])
    for p in periods:
        await asyncio.sleep(0)  # a column of a province's thousands at a time
        by_agency = {r.agency.id: r for r in by_period.get(p.id, []) if for_agency(actor, r.agency.id)}
        statuses.append(by_agency)
        agencies.update({a: r.agency for a, r in by_agency.items()})
    seen: dict[tuple[int, object, bool], Cell] = {}
    rows: list[Row] = []
    counts: list[dict[CellState, int]] = [{} for _ in periods]
    ordered = [a for a in sorted(agencies.values(), key=lambda a: (a.position, a.id)) if kind is None or a.kind is kind]
    for n, a in enumerate(ordered):  # the official order, as lists go
        if n and n % YIELD_EVERY == 0:
            await asyncio.sleep(0)  # thousands of agencies: let the webhooks and /healthz in between
        cells = tuple(_cell(st.get(a.id), p, now, rules, seen) for p, st in zip(periods, statuses, strict=True))
        for i, c in enumerate(cells):
            counts[i][c.state] = counts[i].get(c.state, 0) + 1
        rows.append(Row(a, cells))
    columns = tuple(Column(p, c) for p, c in zip(periods, counts, strict=True))
    order = vietnamese.KIND_ORDER
    rows.sort(key=lambda r: order.index(r.agency.kind))  # stable: the official order within each kind
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    page = min(max(page, 1), pages)
    shown = rows[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
    sizes = {k: sum(1 for r in rows if r.agency.kind is k) for k in order}
    groups = tuple((k, tuple(r for r in shown if r.agency.kind is k)) for k in order)
    return Matrix(
        plans,
        series_list,
        chosen,
        columns,
        tuple((k, g) for k, g in groups if g),
        tuple(rows),
        page,
        pages,
        {k: n for k, n in sizes.items() if n},
    )


@dataclass(frozen=True, slots=True)
class CellDetail:
    period: Period
    agency: Agency
    cell: Cell
    submission: SubmissionDetail | None
    deliveries: Sequence[DeliveryRecord]


async def cell_detail(
    uow: UnitOfWork, actor: Actor, rules: Rules, period_id: int, agency_code: str, now: datetime
) -> CellDetail:
    """One agency's standing for one period, who confirmed it, and every reminder about it and its fate.

    Raises:
        PeriodUnknown, AgencyUnknown: no such period or agency.
        NotAllowed: the actor may not see that agency.
    """
    rules = await effective_rules(uow, rules)
    period = await uow.periods.by_id(period_id)
    if period is None:
        raise PeriodUnknown(str(period_id))
    agency = await uow.agencies.by_code(agency_code)
    if agency is None:
        raise AgencyUnknown(agency_code)
    if not for_agency(actor, agency.id):
        raise NotAllowed()
    row = next((r for r in await uow.periods.status(period.id) if r.agency.id == agency.id), None)
    return CellDetail(
        period,
        agency,
        _cell(row, period, now, rules, {}),
        await uow.periods.submission_detail(period.id, agency.id),
        await uow.outbox.history(period.id, agency.id),
    )
