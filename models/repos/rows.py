"""Rows to the core's dataclasses, and the joins several repositories share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Select, case, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core import messages
from core.types import Account, Agency, AgencyKind, Period, Role
from models import tables as t


async def confirmed_from(session: AsyncSession, via: str) -> str:
    """Where a confirmation was made: its ``confirmed_via`` ("cli", "web", …), or for "account:N" the app of that
    chat account ("telegram", "zalo", "console")."""
    if via.startswith("account:") and via.removeprefix("account:").isdigit():
        account = await session.get(t.ChatAccount, int(via.removeprefix("account:")))
        return account.platform if account is not None else "console"
    return via


Receiver = aliased(t.Agency, name="receiver")
Via = aliased(t.Agency, name="via")


@dataclass(frozen=True, slots=True)
class Lineage:
    former_names: dict[int, tuple[tuple[str, date], ...]]
    codes: dict[int, str]
    split_into: dict[int, tuple[int, ...]] = field(default_factory=dict)


NO_LINEAGE = Lineage({}, {})

# Lists follow the official order: departments, districts (of before 2025), communes, others; within a kind the
# official list's order, then the order agencies were entered.
KIND_RANK = case(
    {"department": 0, "district": 1, "commune": 2},
    value=t.Agency.kind,
    else_=3,
)
AGENCY_ORDER = (KIND_RANK, t.Agency.position, t.Agency.id)


def agency(row: t.Agency, known: Lineage = NO_LINEAGE, on: date | None = None) -> Agency:
    """The agency; with ``on``, named as it was on that day (history keeps the names of its time)."""
    found = Agency(
        id=row.id,
        code=row.code,
        name=row.name,
        kind=AgencyKind(row.kind),
        active=row.active,
        ended_on=row.ended_on,
        successor=known.codes.get(row.successor_id) if row.successor_id else None,
        former_names=known.former_names.get(row.id, ()),
        successors=tuple(known.codes[i] for i in known.split_into.get(row.id, ()))
        or ((known.codes[row.successor_id],) if row.successor_id in known.codes else ()),
        position=row.position,
        province=row.province,
        started_on=row.started_on,
    )
    return replace(found, name=found.name_on(on)) if on else found


def addressee(name: str, title: str) -> str:
    """How a person is addressed: "Nguyễn Văn A, Chuyên viên Văn phòng Sở" (the name alone without a title)."""
    return messages.addressee(name, title)


def account(acc: t.ChatAccount, person: t.Person, agency_row: t.Agency) -> Account:
    return Account(
        acc.id,
        person.id,
        addressee(person.display_name, person.title),
        agency_row.id,
        agency_row.code,
        agency_row.name,
        Role(person.role),
        acc.language,
    )


def period_select() -> Select[tuple[t.ReportPeriod, t.ReportSeries, t.Plan, str, str]]:
    return (
        select(t.ReportPeriod, t.ReportSeries, t.Plan, Receiver.name, Via.name)
        .join(t.ReportSeries, t.ReportSeries.id == t.ReportPeriod.series_id)
        .join(t.Plan, t.Plan.id == t.ReportSeries.plan_id)
        .join(Receiver, Receiver.id == t.ReportSeries.receiver_agency_id)
        .outerjoin(Via, Via.id == t.ReportSeries.via_agency_id)
    )


def period(
    p: t.ReportPeriod, s: t.ReportSeries, plan: t.Plan, receiver_name: str, via_name: str | None = None
) -> Period:
    receiver = messages.receiver_phrase(receiver_name, via_name or "", s.receiver_wording or "")
    return Period(
        id=p.id,
        series_code=s.code,
        series_name=s.name,
        plan_number=plan.number,
        key=p.key,
        label=p.label,
        opens_at=p.opens_at,
        due_at=p.due_at,
        wording=s.wording,
        receiver=receiver,
        plan_issued_on=plan.issued_on,
        plan_issuer=plan.issuing_body,
        via=via_name or "",
        data_from=p.data_from,
        data_to=p.data_to,
        cutoff=s.cutoff if s.cutoff and s.cutoff != "nd09" else "",
        plan_title=plan.title,
    )


async def lineage(session: AsyncSession) -> Lineage:
    """Former names and successor codes of every agency that has them."""
    names: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for n in (await session.scalars(select(t.AgencyName).order_by(t.AgencyName.until))).all():
        names[n.agency_id].append((n.name, n.until))
    codes = dict((await session.execute(select(t.Agency.id, t.Agency.code))).tuples().all())
    split: dict[int, list[int]] = defaultdict(list)
    q = select(t.AgencySuccessor.agency_id, t.AgencySuccessor.successor_id).order_by(t.AgencySuccessor.position)
    for agency_id, successor_id in (await session.execute(q)).tuples().all():
        split[agency_id].append(successor_id)
    return Lineage({k: tuple(v) for k, v in names.items()}, codes, {k: tuple(v) for k, v in split.items()})
