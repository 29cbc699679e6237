"""A period's file (hồ sơ kỳ báo cáo), from the database as it stands: every owing agency judged, the figures the
compiled report states, the period before it for the change in the on-time rate, and who confirmed each report with
which file (issue 32)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from core import vietnamese
from core.errors import PeriodUnknown
from core.repositories import UnitOfWork
from core.standing import Judged, Tally
from core.types import Actor, Period, ReportFile, SentDetail, Standing
from core.usecases.overview import period_tally
from core.usecases.plan import period as find_period
from core.usecases.rules import Rules, effective_rules, require_admin


@dataclass(frozen=True, slots=True)
class Compiled:
    """What a period's documents state: the period, every owing agency judged at ``made_at`` in official order, the
    last day allowed when the law runs it on (Điều 148), the compiling office and the period before."""

    period: Period
    tally: Tally
    made_at: datetime
    office: str  # the agency that compiles ("Sở Nội vụ")
    extended_to: date | None = None
    previous: Period | None = None
    previous_rate: float | None = None  # the on-time share of the period before, 0–1
    sent: Mapping[int, SentDetail] = field(default_factory=dict)  # by agency id: who confirmed, with which file

    @property
    def rate(self) -> float | None:
        owed = len(self.tally.rows)
        return len(self.tally.on_time) / owed if owed else None

    def detail(self, j: Judged) -> SentDetail | None:
        """Who confirmed the agency's report and its file (None: not sent)."""
        return self.sent.get(j.row.agency.id) if j.row.submitted_at is not None else None

    @property
    def files(self) -> tuple[tuple[int, Judged, ReportFile], ...]:
        """The report files of the period, each with its agency's number in the sheet (1, 2, …)."""
        found = []
        for n, j in enumerate(self.tally.rows, start=1):
            d = self.detail(j)
            if d is not None and d.file is not None:
                found.append((n, j, d.file))
        return tuple(found)

    @property
    def not_sent(self) -> tuple[Judged, ...]:
        return self.tally.overdue

    @property
    def late_or_not_sent(self) -> tuple[Judged, ...]:
        return self.tally.of(Standing.LATE, Standing.MISSING)


async def compile_period(uow: UnitOfWork, actor: Actor, ref: str | int, now: datetime, rules: Rules) -> Compiled:
    """The period ``ref`` names (as the CLI names one, or its id, as the dashboard does), judged at ``now``.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        PeriodUnknown, and the errors of ``plan.period`` for a name.
    """
    require_admin(actor)
    if isinstance(ref, int):
        found = await uow.periods.by_id(ref)
        if found is None:
            raise PeriodUnknown(str(ref))
        p = found
    else:
        p = await find_period(uow, ref, now)
    counted = await period_tally(uow, p, now, rules)
    # The office's order: departments before districts and communes, each kind in its official order.
    judged = Tally(
        tuple(
            sorted(
                counted.rows,
                key=lambda j: vietnamese.office_order(j.row.agency),
            )
        )
    )
    deadlines = (await effective_rules(uow, rules)).deadlines
    # The period before of the same series: the one listed just before it, in the order they fall due.
    same = [
        x
        for x in await uow.periods.all(due_to=p.due_at)
        if (x.plan_number, x.series_code) == (p.plan_number, p.series_code)
    ]
    at = next((i for i, x in enumerate(same) if x.id == p.id), 0)
    previous = same[at - 1] if at > 0 else None
    previous_rate = None
    if previous is not None:
        earlier = await period_tally(uow, previous, now, rules)
        previous_rate = len(earlier.on_time) / len(earlier.rows) if earlier.rows else None
    office = await uow.agencies.by_code(rules.admin_agency)
    return Compiled(
        p,
        judged,
        now,
        office.name if office else rules.admin_agency,
        deadlines.extended_to(p.due_at),
        previous,
        previous_rate,
        await uow.files.sent(p.id),
    )
