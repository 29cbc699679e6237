"""A province's agencies from the official registry: its 2025 departments and communes, in official order, and how
the agencies of before became them (merged, split, a district's place taken by its communes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core import registry
from core.errors import AgencyUnknown, LineageError
from core.messages import short_day
from core.reading.text import fold
from core.repositories import UnitOfWork
from core.types import Actor, Agency, AgencyKind
from core.usecases.rules import require_admin


@dataclass(frozen=True, slots=True)
class Added:
    code: str
    name: str
    kind: AgencyKind
    position: int
    official_code: str | None = None
    started_on: date | None = None


@dataclass(frozen=True, slots=True)
class Ended:
    code: str
    name: str
    on: date
    into: tuple[str, ...]  # one code: merged; several: split


@dataclass(frozen=True, slots=True)
class Placed:
    """An agency kept, given its official place (and a commune its official code)."""

    code: str
    position: int
    official_code: str | None = None


@dataclass
class ProvinceReport:
    province: str
    added: list[Added] = field(default_factory=list)
    placed: list[Placed] = field(default_factory=list)
    ended: list[Ended] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.placed or self.ended)


def _name_key(name: str) -> str:
    return " ".join(fold(name).replace("-", " ").split())


def commune_code(official: str) -> str:
    """A commune's stable code from its official one: "02203" → "XP-02203" (xã, phường)."""
    return f"XP-{official}"


def _free(code: str, used: set[str], province: registry.Province) -> str:
    """``code`` if no agency has it, else the code with the province's official code ("SNNMT-08")."""
    for candidate in (code, f"{code}-{province.code}", *(f"{code}-{province.code}-{n}" for n in range(2, 99))):
        if candidate not in used:
            used.add(candidate)
            return candidate
    raise LineageError(f"không còn mã trống cho {code} (no free code)")


def plan_load(province: registry.Province, agencies: list[Agency], from_day: date) -> ProvinceReport:
    """What loading ``province`` into a registry holding ``agencies`` would do (pure: nothing is written)."""
    report = ProvinceReport(province.name)
    used = {a.code for a in agencies}
    active = [a for a in agencies if a.active and a.ended_on is None]
    by_name: dict[str, str] = {_name_key(a.name): a.code for a in active}
    by_code = {a.code: a for a in agencies}
    official_of = {commune_code(c.code): c for c in province.communes}

    # An agency renamed since (its name of before is the official one) or known by the official code is the same
    # agency: a load after a rename must not add it again (issue 29: any order gives the same registry).
    for a in active:
        for former, _ in a.former_names:
            by_name.setdefault(_name_key(former), a.code)
    for n, d in enumerate(province.departments, start=1):
        code = by_name.get(_name_key(d.name))
        same_code = by_code.get(d.code)
        if code is None and same_code is not None and same_code.active and same_code.ended_on is None:
            code = d.code if same_code.kind is AgencyKind.DEPARTMENT else None
        if code is None:
            code = _free(d.code, used, province)
            began = min((c.on for c in province.changes if d.name in c.into), default=from_day)
            report.added.append(Added(code, d.name, AgencyKind.DEPARTMENT, n, None, began))
            by_name[_name_key(d.name)] = code
        elif (by_code[code].position, by_code[code].province) != (n, province.code):
            report.placed.append(Placed(code, n))
        else:
            report.unchanged += 1
    for n, c in enumerate(province.communes, start=1):
        code = commune_code(c.code)
        known = by_code.get(code)
        if known is None:
            used.add(code)
            report.added.append(Added(code, c.agency_name, AgencyKind.COMMUNE, n, c.code, from_day))
        elif (known.position, known.province) != (n, province.code):
            report.placed.append(Placed(code, n, c.code))
        else:
            report.unchanged += 1

    def successors(names: tuple[str, ...]) -> tuple[str, ...] | None:
        codes = tuple(by_name.get(_name_key(name)) for name in names)
        return None if None in codes else tuple(c for c in codes if c)

    for change in province.changes:
        into = successors(change.into)
        for old in change.names:
            code = by_name.get(_name_key(old))
            if code is None or into is None or code in into:
                continue
            report.ended.append(Ended(code, by_code[code].name, change.on, into))
    # A district of before: its communes took its place (Tuyên Quang's and those of the provinces merged into it).
    districts = {_name_key(a.name): a for a in active if a.kind is AgencyKind.DISTRICT}
    for before_d in province.districts_before:
        found = districts.get(_name_key(before_d.agency_name)) or districts.get(
            _name_key(f"{before_d.agency_name} {before_d.province}")
        )
        if found is not None and all(commune_code(c) in official_of for c in before_d.communes):
            report.ended.append(
                Ended(found.code, found.name, from_day, tuple(commune_code(c) for c in before_d.communes))
            )
    # The departments of a province merged into this one ("Sở Tư pháp tỉnh Hà Giang") end into this one's.
    for before in province.merged_from:
        if before == province.name:
            continue
        suffix = " " + _name_key(before)
        for a in active:
            key = _name_key(a.name)
            if a.kind is AgencyKind.DEPARTMENT and key.endswith(suffix):
                target = by_name.get(key.removesuffix(suffix))
                if target is not None:
                    report.ended.append(Ended(a.code, a.name, from_day, (target,)))
    return report


async def load(uow: UnitOfWork, actor: Actor, name: str, from_day: date, dry_run: bool = False) -> ProvinceReport:
    """Load a province's official agencies (the caller commits); with ``dry_run`` only say what would change.

    Idempotent: agencies are found by official code (communes) or name (departments), and what has ended already
    is not ended again.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        ProvinceUnknown: none of the 34 provinces is called ``name``.
        LineageError: ``from_day`` is before the official list took effect (1/7/2025).
    """
    require_admin(actor)
    province = registry.province(name)
    if from_day < registry.EFFECTIVE:
        raise LineageError(
            f"danh mục xã, phường có hiệu lực từ ngày {short_day(registry.EFFECTIVE)}; --from không được sớm hơn "
            "(the official list applies from 2025-07-01)"
        )
    report = plan_load(province, await uow.agencies.all(include_inactive=True), from_day)
    if dry_run or not report.changed:
        return report
    for new in report.added:
        await uow.agencies.add(
            new.code, new.name, new.kind, new.position, province.code, new.official_code, new.started_on
        )
    for place in report.placed:
        found = await uow.agencies.by_code(place.code)
        if found is not None:
            await uow.agencies.place(found.id, place.position, province.code, place.official_code)
    for e in report.ended:
        old = await uow.agencies.by_code(e.code)
        into = [await uow.agencies.by_code(c) for c in e.into]
        if old is None or any(x is None for x in into):
            continue
        ids = [x.id for x in into if x is not None]
        if len(ids) == 1:
            await uow.agencies.end(old.id, e.on, ids[0])
        else:
            await uow.agencies.split(old.id, e.on, ids, ids)
    await uow.audit.record(
        actor.label,
        "load_province",
        "province",
        province.code,
        {"added": len(report.added), "placed": len(report.placed), "ended": [e.code for e in report.ended]},
    )
    return report


async def agency(uow: UnitOfWork, code: str) -> Agency:
    """The agency of ``code``. Raises AgencyUnknown (also ``plan.agency``: this module is below plan's)."""
    found = await uow.agencies.by_code(code)
    if found is None:
        raise AgencyUnknown(code[:32])
    return found


async def loaded(uow: UnitOfWork) -> tuple[str, date] | None:
    """The province loaded into the registry, and from which day (its communes' first day); None if none was."""
    communes = [a for a in await uow.agencies.all(include_inactive=True) if a.kind is AgencyKind.COMMUNE and a.province]
    if not communes:
        return None
    code = communes[0].province
    name = next((n for n in registry.names() if registry.province(n).code == code), None)
    days = [a.started_on for a in communes if a.started_on is not None]
    if name is None or not days:
        return None
    return name, min(days)


async def keep_history(uow: UnitOfWork, actor: Actor) -> ProvinceReport | None:
    """After a plan import: what the province's official history says of the agencies the plan just added (a plan of
    2023 imported after the load brings back Sở Kế hoạch và Đầu tư and the districts) is recorded again — they end
    when they ended, their successors owing what falls due after (issue 29: abolished agencies stay abolished,
    whatever the order of imports). Nothing when no province was loaded, or nothing changed."""
    found = await loaded(uow)
    if found is None:
        return None
    report = await load(uow, actor, found[0], found[1])
    return report if report.changed else None


async def split(
    uow: UnitOfWork, actor: Actor, code: str, into: list[str], from_day: date, takers: list[str] | None = None
) -> Agency:
    """Split the agency among ``into`` from ``from_day``; ``takers`` (default: all of them) owe what it owed from
    then and take its tasks.

    Raises:
        NotAllowed: not a Sở Nội vụ admin.
        AgencyUnknown: a code names no agency.
        LineageError: fewer than two successors, a taker that is not a successor, or as the repository's ``split``.
    """
    require_admin(actor)
    found = await agency(uow, code)
    successors = [await agency(uow, c) for c in dict.fromkeys(c.strip().upper() for c in into if c.strip())]
    if len(successors) < 2:
        raise LineageError("tách cần ít nhất hai cơ quan tiếp nhận; một cơ quan thì dùng 'merge' (split needs two)")
    chosen = successors if takers is None else [await agency(uow, c) for c in takers]
    if not {a.id for a in chosen} <= {a.id for a in successors}:
        raise LineageError(
            "cơ quan nhận nhiệm vụ phải là một trong các cơ quan tiếp nhận (a taker must be a successor)"
        )
    await uow.agencies.split(found.id, from_day, [a.id for a in successors], [a.id for a in chosen])
    await uow.audit.record(
        actor.label,
        "split_agency",
        "agency",
        found.code,
        {"on": from_day.isoformat(), "into": [a.code for a in successors], "takers": [a.code for a in chosen]},
    )
    return await agency(uow, code)
