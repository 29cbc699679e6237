"""What importing a plan file would change, decided without the database: the stored plan (as ``models`` loads
it) and the file (``PlanSpec``) → the changes to make, and the refusals that stop the import.

The rules of an import live here:
- the agency registry is shared by plans: an agency another plan assigns a task or a series keeps its name, kind
  and active flag unless the import says ``update_agencies`` (each difference is a refusal otherwise);
- an agency with history (renamed, merged or dissolved) is named in a file as it was on the plan's date, and
  is never changed by a file (renaming is `nhacviec agencies rename`'s job);
- tasks, series and periods are matched by their keys (ref and paragraph, series code, period key) and
  updated in place, so submissions and reminders keep pointing at them;
- a period the file no longer has is removed, unless reports were confirmed for it (then it is kept, and said);
  an ad-hoc series' periods are made by admins and never removed by a file.
``models.plan_import`` only loads ``StoredPlan`` and writes a ``PlanDiff``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from core.messages import short_day
from core.planfile import AgencySpec, ImportReport, PeriodSpec, PlanFileError, PlanSpec, SeriesSpec, TaskSpec
from core.types import Agency, Recurrence, TaskRole
from core.vietnamese import folded

Assignments = frozenset[tuple[str, TaskRole]]


@dataclass(frozen=True, slots=True)
class StoredTask:
    title: str
    text: str
    position: int
    assignments: Assignments  # (agency code, role)


@dataclass(frozen=True, slots=True)
class StoredPeriod:
    label: str
    opens_at: datetime
    due_at: datetime
    agencies: frozenset[str]
    submissions: int  # confirmed reports, live or undone: a period holding any is never removed
    data_from: date | None = None
    data_to: date | None = None

    def fields(self) -> tuple[object, ...]:
        return (self.label, self.opens_at, self.due_at, self.data_from, self.data_to)


def period_fields(p: PeriodSpec) -> tuple[object, ...]:
    return (p.label, p.opens_at, p.due_at, p.data_from, p.data_to)


@dataclass(frozen=True, slots=True)
class StoredSeries:
    fields: dict[str, object]  # as ``series_fields`` gives them
    agencies: frozenset[str]
    periods: dict[str, StoredPeriod]  # by key


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """The registry and, when the plan is stored already, the plan as the database holds it."""

    fields: dict[str, object] | None  # as ``plan_fields`` gives them; None when there is no such plan yet
    agencies: dict[str, Agency]  # every agency of the registry, by code, with its lineage
    used_elsewhere: dict[str, frozenset[str]]  # agency code → numbers of the other plans that use it
    tasks: dict[tuple[str, int], StoredTask] = field(default_factory=dict)  # by (ref, paragraph)
    series: dict[str, StoredSeries] = field(default_factory=dict)  # by code
    # agency code → (the earliest, the latest) issue date of the other plans that use it
    used_between: dict[str, tuple[date, date]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SeriesChange:
    spec: SeriesSpec
    new: bool
    fields_changed: bool
    agencies_changed: bool
    periods: tuple[tuple[PeriodSpec, bool, bool, bool], ...]  # (period, new, fields changed, agencies changed)
    removed_periods: tuple[str, ...]  # keys


@dataclass
class PlanDiff:
    """The writes an import makes (each list in the file's order) and the report it gives."""

    report: ImportReport
    plan: str | None = None  # "create", "update" or None
    agencies_created: list[AgencySpec] = field(default_factory=list)
    agencies_updated: list[AgencySpec] = field(default_factory=list)
    # A name of the plan's own time (issue 29): (code, name, until) kept as the agency's name before ``until``, and
    # (code, name, from) an agency renamed from a later plan's date (its name until then kept as history).
    names_before: list[tuple[str, str, date]] = field(default_factory=list)
    renamed_from: list[tuple[str, str, date]] = field(default_factory=list)
    # (position, task, new, fields changed, assignments changed) for every task of the file:
    tasks: list[tuple[int, TaskSpec, bool, bool, bool]] = field(default_factory=list)
    tasks_removed: list[tuple[str, int]] = field(default_factory=list)
    series: list[SeriesChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.report.changed


PLAN_FIELDS = ("title", "issuing_body", "issued_on", "signer", "signer_title", "year", "year_to")


def plan_fields(spec: PlanSpec) -> dict[str, object]:
    return {name: getattr(spec, name) for name in PLAN_FIELDS}


def series_fields(s: SeriesSpec) -> dict[str, object]:
    """The series' own values; the receiver and via are agency codes."""
    return {
        "name": s.name,
        "recurrence": s.recurrence.value,
        "wording": s.wording,
        "receiver": s.receiver,
        "via": s.via,
        "receiver_wording": s.receiver_wording,
        "cutoff": s.cutoff,
    }


def agency_fields(a: AgencySpec | Agency) -> dict[str, object]:
    return {"name": a.name, "kind": a.kind.value, "active": a.active}


# What an import changes, as an operator of Sở Nội vụ reads it (the keys stay English: scripts read --json).
CHANGE_VI = {
    "plan created": "tạo kế hoạch",
    "plan updated": "cập nhật thông tin kế hoạch",
    "agencies created": "thêm cơ quan",
    "agencies updated": "cập nhật cơ quan",
    "agency names of their time kept": "giữ tên cơ quan theo thời điểm của kế hoạch",
    "agencies renamed from the plan's date": "đổi tên cơ quan từ ngày của kế hoạch",
    "tasks created": "thêm nhiệm vụ",
    "tasks updated": "cập nhật nhiệm vụ",
    "task assignments changed": "thay đổi cơ quan thực hiện nhiệm vụ",
    "tasks removed": "bỏ nhiệm vụ",
    "series created": "thêm chế độ báo cáo",
    "series updated": "cập nhật chế độ báo cáo",
    "series agencies changed": "thay đổi cơ quan phải báo cáo (chế độ)",
    "periods created": "thêm kỳ báo cáo",
    "periods updated": "cập nhật kỳ báo cáo",
    "period agencies changed": "thay đổi cơ quan phải báo cáo (kỳ)",
    "periods removed": "bỏ kỳ báo cáo",
}


def diff(stored: StoredPlan, spec: PlanSpec, update_agencies: bool = False) -> PlanDiff:
    """The changes importing ``spec`` makes to ``stored``.

    Raises:
        PlanFileError: agencies the file may not change (every one listed); nothing is to be written.
    """
    d = PlanDiff(ImportReport(spec.number))
    ch = d.report.changes
    if stored.fields is None:
        d.plan = "create"
        ch["plan created"] += 1
    elif stored.fields != plan_fields(spec):
        d.plan = "update"
        ch["plan updated"] += 1
    _agencies(stored, spec, update_agencies, d)
    _tasks(stored, spec, d)
    for s in spec.series:
        d.series.append(_series(stored.series.get(s.code), s, d.report))
    return d


def same_name(a: str, b: str, place: str) -> bool:
    """Whether two names are one agency's as plans write it: in any case and spacing, and with or without the
    province after it ("Ủy ban nhân dân tỉnh" and "Ủy ban nhân dân tỉnh Tuyên Quang" in plans of Tuyên Quang)."""

    def bare(name: str) -> str:
        said, suffix = folded(name), " " + folded(place)
        return said.removesuffix(suffix) if place and said.endswith(suffix) else said

    return bare(a) == bare(b)


def _place(spec: PlanSpec) -> str:
    """The province a plan is issued in, from its issuing body ("Ủy ban nhân dân tỉnh Tuyên Quang" → "Tuyên Quang")."""
    for word in ("tỉnh ", "thành phố "):
        at = spec.issuing_body.casefold().rfind(word)
        if at >= 0:
            return spec.issuing_body[at + len(word) :].strip()
    return ""


def _agencies(stored: StoredPlan, spec: PlanSpec, update_agencies: bool, d: PlanDiff) -> None:
    refused: list[str] = []
    place = _place(spec)
    for a in spec.agencies:
        existing = stored.agencies.get(a.code)
        if existing is None:
            d.agencies_created.append(a)
            d.report.changes["agencies created"] += 1
            continue
        if existing.former_names or existing.ended_on is not None:
            # History is kept by date: the file must name the agency as it was on the plan's date.
            then = existing.name_on(spec.issued_on)
            if not same_name(a.name, then, place):
                refused.append(
                    f"agencies (code {a.code!r}): field 'name': on {short_day(spec.issued_on)} the agency was named "
                    f"{then!r}; rename it with 'nhacviec agencies rename', not in the plan file"
                )
            continue
        have, wanted = agency_fields(existing), agency_fields(a)
        if same_name(str(have["name"]), str(wanted["name"]), place):  # the same name, as plans write it
            # Whatever the order of imports, the fuller form stands ("… tỉnh Tuyên Quang" over "… tỉnh").
            fuller = max(str(have["name"]), str(wanted["name"]), key=lambda n: (len(n), n))
            if {**have, "name": fuller} == {**wanted, "name": fuller}:
                if fuller != have["name"]:
                    d.agencies_updated.append(replace(a, name=fuller))
                    d.report.changes["agencies updated"] += 1
                continue
            wanted = {**wanted, "name": have["name"]}
        if have == wanted:
            continue
        elsewhere = stored.used_elsewhere.get(a.code, frozenset())
        between = stored.used_between.get(a.code)
        only_name = {k for k in wanted if have[k] != wanted[k]} == {"name"}
        if elsewhere and not update_agencies and only_name and between is not None:
            # A name of the plan's own time, not a correction: a plan older than every other plan that uses the
            # agency names it as it was then; a plan newer than all of them, as it is from now on.
            if spec.issued_on < between[0]:
                d.names_before.append((a.code, a.name, between[0]))
                d.report.changes["agency names of their time kept"] += 1
                continue
            if spec.issued_on >= between[1]:
                d.renamed_from.append((a.code, a.name, spec.issued_on))
                d.report.changes["agencies renamed from the plan's date"] += 1
                continue
        if elsewhere and not update_agencies:
            refused += [
                f"agencies (code {a.code!r}): field {name!r}: {have[name]!r} → {value!r} would change it for plan "
                f"{', '.join(sorted(elsewhere))} too; import with --update-agencies to change it for every plan"
                for name, value in wanted.items()
                if have[name] != value
            ]
            continue
        d.agencies_updated.append(a)
        d.report.changes["agencies updated"] += 1
    if refused:
        raise PlanFileError(spec.number, refused)


def _tasks(stored: StoredPlan, spec: PlanSpec, d: PlanDiff) -> None:
    left = dict(stored.tasks)
    for pos, t in enumerate(spec.tasks):
        before = left.pop((t.ref, t.paragraph), None)
        wanted: Assignments = frozenset(t.assignments)
        new = before is None
        fields_changed = before is not None and (before.title, before.text, before.position) != (t.title, t.text, pos)
        assignments_changed = before is not None and before.assignments != wanted
        d.tasks.append((pos, t, new, fields_changed, assignments_changed))
        d.report.changes.update(
            name
            for name, happened in (
                ("tasks created", new),
                ("tasks updated", fields_changed),
                ("task assignments changed", assignments_changed),
            )
            if happened
        )
    d.tasks_removed = list(left)
    if left:
        d.report.changes["tasks removed"] += len(left)


def _series(before: StoredSeries | None, s: SeriesSpec, report: ImportReport) -> SeriesChange:
    ch: Counter[str] = report.changes
    owed = frozenset(s.owed_by)
    new = before is None
    fields_changed = before is not None and before.fields != series_fields(s)
    agencies_changed = before is not None and before.agencies != owed
    ch.update(name for name, happened in (("series created", new), ("series updated", fields_changed)) if happened)
    if agencies_changed:
        ch["series agencies changed"] += 1
    stored_periods = dict(before.periods) if before is not None else {}
    periods = []
    for p in s.periods:
        old = stored_periods.pop(p.key, None)
        p_new = old is None
        p_changed = old is not None and old.fields() != period_fields(p)
        p_agencies = old is not None and old.agencies != owed
        ch.update(
            name
            for name, happened in (
                ("periods created", p_new),
                ("periods updated", p_changed),
                ("period agencies changed", p_agencies),
            )
            if happened
        )
        periods.append((p, p_new, p_changed, p_agencies))
    removed: list[str] = []
    if s.recurrence is not Recurrence.AD_HOC:  # ad-hoc periods are created by admins, never by the file
        for key, gone in stored_periods.items():
            if gone.submissions:
                report.kept_periods.append(gone.label)
            else:
                removed.append(key)
                ch["periods removed"] += 1
    return SeriesChange(s, new, fields_changed, agencies_changed, tuple(periods), tuple(removed))
