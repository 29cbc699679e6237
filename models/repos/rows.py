"""Rows to the core's dataclasses, and the joins several repositories share."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from core.types import Account, Agency, AgencyKind, Period, Role
from models import tables as t

Receiver = aliased(t.Agency, name="receiver")


def agency(row: t.Agency) -> Agency:
    return Agency(id=row.id, code=row.code, name=row.name, kind=AgencyKind(row.kind), active=row.active)


def account(acc: t.ChatAccount, person: t.Person, agency_row: t.Agency) -> Account:
    return Account(
        acc.id,
        person.id,
        person.display_name,
        agency_row.id,
        agency_row.code,
        agency_row.name,
        Role(person.role),
        acc.language,
    )


def period_select() -> Select[tuple[t.ReportPeriod, t.ReportSeries, t.Plan, str]]:
    return (
        select(t.ReportPeriod, t.ReportSeries, t.Plan, Receiver.name)
        .join(t.ReportSeries, t.ReportSeries.id == t.ReportPeriod.series_id)
        .join(t.Plan, t.Plan.id == t.ReportSeries.plan_id)
        .join(Receiver, Receiver.id == t.ReportSeries.receiver_agency_id)
    )


def period(p: t.ReportPeriod, s: t.ReportSeries, plan: t.Plan, receiver: str) -> Period:
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
    )
