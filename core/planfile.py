"""Plan data files (TOML): load, validate the whole file, expand agency selectors.

Nothing here touches the database: the result is a ``PlanSpec`` that ``models.plan_import``
writes in one transaction.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.deadlines import (
    MAX_YEAR,
    MIN_YEAR,
    DeadlineRule,
    DeadlineWordingError,
    parse_deadline,
    start_of_day,
)
from core.messages import short_day
from core.planning import regimes
from core.planning.calendar import WorkCalendar
from core.types import AgencyKind, Recurrence, TaskRole

AGENCY_CODE = re.compile(r"^[A-Z][A-Z0-9-]{1,31}$")
MAX_FILE_BYTES = 2_000_000  # plan 46 is 40 kB; a file this large is a mistake, not a plan
MAX_TEXT = 20_000  # characters in one task's text (plan 46's longest is 2,200)
MAX_LINE = 500  # characters in a title, a name or a wording
SELECTORS: dict[str, tuple[AgencyKind, ...]] = {
    "@departments": (AgencyKind.DEPARTMENT,),
    "@districts": (AgencyKind.DISTRICT,),
    "@communes": (AgencyKind.COMMUNE,),
    "@all": (AgencyKind.DEPARTMENT, AgencyKind.DISTRICT, AgencyKind.COMMUNE),
}
ROLE_FIELDS = (("lead", TaskRole.LEAD), ("coordinate", TaskRole.COORDINATE), ("carry_out", TaskRole.CARRY_OUT))


class PlanFileError(Exception):
    """A plan file that cannot be imported; ``problems`` name the file, the entry and the field."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _PlanIn(_Strict):
    number: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=MAX_LINE)
    issuing_body: str = Field(min_length=1, max_length=255)
    issued_on: date
    signer: str = Field(min_length=1, max_length=255)
    signer_title: str = Field(default="", max_length=255)
    year: int | None = Field(default=None, ge=2000, le=2100)  # a plan of one year…
    years: str | None = Field(default=None, max_length=16)  # …or of several: "2026-2030"

    @model_validator(mode="after")
    def _one_span(self) -> _PlanIn:
        if (self.year is None) == (self.years is None):
            raise ValueError("give either 'year' (year = 2026) or 'years' (years = \"2026-2030\"), not both")
        first, last = self.span
        if not (MIN_YEAR <= first <= last <= MAX_YEAR and last - first < 20):
            raise ValueError(f"'years' must run forward within {MIN_YEAR}–{MAX_YEAR}, at most 20 years")
        return self

    @property
    def span(self) -> tuple[int, int]:
        """(first year, last year)."""
        if self.year is not None:
            return self.year, self.year
        m = re.fullmatch(r"\s*(\d{4})\s*[-–—]\s*(\d{4})\s*", self.years or "")
        if m is None:
            raise ValueError(f"'years' must read like \"2026-2030\", not {self.years!r}")
        return int(m.group(1)), int(m.group(2))


class _AgencyIn(_Strict):
    code: str
    name: str = Field(min_length=1, max_length=255)
    kind: AgencyKind
    active: bool = True

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not AGENCY_CODE.match(v):
            raise ValueError("must be 2-32 capital letters, digits or '-', starting with a letter")
        return v


REF = r"^(?:[IVX]+\.[0-9]{1,3}|PL[0-9]{0,2}\.(?:[A-Z]\.|[IVX]+\.){0,2}[0-9]{1,3})$"


class _TaskIn(_Strict):
    # the plan's own numbering (ASCII digits), no letter: "III.1"; a row of an appendix table: "PL.II.4", "PL.7"
    ref: str = Field(pattern=REF, max_length=16)
    paragraph: int = Field(default=0, ge=0, le=99)  # several duties under one item: their paragraph number
    title: str = Field(min_length=1, max_length=MAX_LINE)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    lead: list[str] = Field(default_factory=list)  # "chủ trì"
    coordinate: list[str] = Field(default_factory=list)  # "phối hợp"
    carry_out: list[str] = Field(default_factory=list)  # "thực hiện"


class _SeriesIn(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_-]{1,32}$")
    name: str = Field(min_length=1, max_length=200)
    recurrence: Recurrence
    wording: str = Field(min_length=1, max_length=MAX_LINE)
    owed_by: list[str] = Field(min_length=1)
    receiver: str
    via: str | None = None  # the agency the report goes through, who compiles ("qua Sở Nội vụ tổng hợp")
    receiver_wording: str | None = None  # the receiver as the plan words it
    first_month: int | None = Field(default=None, ge=1, le=12)  # monthly: the first month owed, in the first year
    last_month: int | None = Field(default=None, ge=1, le=12)  # monthly: the last month owed, in the last year
    label: str | None = Field(default=None, max_length=200)  # "Báo cáo CCHC quý {quarter}/{year}" ({month} too)
    cutoff: str | None = Field(default=None, max_length=MAX_LINE)  # "nd09", or the plan's own words


class _FileIn(_Strict):
    plan: _PlanIn
    agencies: list[_AgencyIn] = Field(default_factory=list)  # may be empty when the registry has them
    tasks: list[_TaskIn] = Field(default_factory=list)
    series: list[_SeriesIn] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AgencySpec:
    code: str
    name: str
    kind: AgencyKind
    active: bool


@dataclass(frozen=True, slots=True)
class TaskSpec:
    ref: str
    paragraph: int
    title: str
    text: str
    assignments: tuple[tuple[str, TaskRole], ...]  # (agency code, role)


@dataclass(frozen=True, slots=True)
class PeriodSpec:
    key: str
    label: str
    opens_at: datetime
    due_at: datetime
    data_from: date | None = None  # the data cut-off (chốt số liệu), when the series has one to compute
    data_to: date | None = None


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    code: str
    name: str
    recurrence: Recurrence
    wording: str
    owed_by: tuple[str, ...]
    receiver: str
    via: str | None
    receiver_wording: str | None
    periods: tuple[PeriodSpec, ...]
    cutoff: str | None = None  # "nd09" (Nghị định 09/2019's) or the plan's words
    left_out: tuple[str, ...] = ()  # agencies a group named that receive or compile the report: they owe nothing


@dataclass(frozen=True, slots=True)
class PlanSpec:
    number: str
    title: str
    issuing_body: str
    issued_on: date
    signer: str
    signer_title: str
    year: int  # the first year of the plan
    year_to: int  # its last year (the same for a plan of one year)
    agencies: tuple[AgencySpec, ...]
    tasks: tuple[TaskSpec, ...]
    series: tuple[SeriesSpec, ...]


@dataclass
class ImportReport:
    plan_number: str
    changes: Counter[str] = field(default_factory=Counter)
    kept_periods: list[str] = field(default_factory=list)  # removed from the file but holding submissions
    notes: list[str] = field(default_factory=list)  # what the import decided that the officer should know

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of a paragraph; blank lines separate paragraphs."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n".join(re.sub(r"\s+", " ", p).strip() for p in paragraphs if p.strip())


def _entry(section: str, index: int, raw: dict[str, Any], key: str) -> str:
    name = raw.get(key) if isinstance(raw, dict) else None
    return f"{section}[{index}]" + (f" ({key} {name!r})" if name else "")


def _pydantic_problems(exc: ValidationError, data: dict[str, Any]) -> list[str]:
    problems = []
    keys = {"agencies": "code", "tasks": "ref", "series": "code"}
    for err in exc.errors():
        loc = list(err["loc"])
        where = "file"
        if loc and loc[0] in keys and len(loc) > 1 and isinstance(loc[1], int):
            section, idx = str(loc[0]), int(loc[1])
            where = _entry(section, idx, data.get(section, [{}] * (idx + 1))[idx], keys[section])
            loc = loc[2:]
        elif loc:
            where, loc = f"[{loc[0]}]", loc[1:]
        field = ".".join(str(p) for p in loc) or "(entry)"
        problems.append(f"{where}: field '{field}': {err['msg']}")
    return problems


@dataclass(frozen=True, slots=True)
class Registered:
    """An agency of the registry in the database: a plan file may name it by code without defining it, and its
    groups ("@communes") take it when it was in being on the plan's date."""

    code: str
    kind: AgencyKind
    started_on: date | None = None
    ended_on: date | None = None

    def in_being(self, day: date) -> bool:
        return (self.started_on is None or self.started_on <= day) and (self.ended_on is None or day < self.ended_on)


def load_plan_file(path: str | Path, work: WorkCalendar | None = None, registry: Sequence[Registered] = ()) -> PlanSpec:
    """Read and validate a whole plan file (``work``: the working days that deadlines counted in working days
    count; the shipped calendar without it; ``registry``: the agencies in the database, in official order).

    Raises:
        PlanFileError: anything wrong, every problem listed; nothing has been written anywhere.
    """
    shown = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            raise PlanFileError(shown, [f"the file is {size:,} bytes; a plan file may be at most {MAX_FILE_BYTES:,}"])
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise PlanFileError(shown, [f"cannot read the file: {exc.strerror}"]) from exc
    return load_plan_bytes(raw, shown, work, registry)


def load_plan_bytes(
    raw: bytes, shown: str, work: WorkCalendar | None = None, registry: Sequence[Registered] = ()
) -> PlanSpec:
    """Validate a plan file's content (an upload); ``shown`` names it in the problems.

    Raises:
        PlanFileError: anything wrong, every problem listed.
    """
    if len(raw) > MAX_FILE_BYTES:
        raise PlanFileError(shown, [f"the file is {len(raw):,} bytes; a plan file may be at most {MAX_FILE_BYTES:,}"])
    try:
        text = raw.decode("utf-8-sig")  # a BOM, as Notepad writes it, is fine
    except UnicodeDecodeError as exc:
        raise PlanFileError(shown, ["the file is not UTF-8 text"]) from exc
    shape = shape_problem(text)
    if shape:
        raise PlanFileError(shown, [shape])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError(shown, [f"not valid TOML: {exc}"]) from exc
    except RecursionError as exc:
        raise PlanFileError(shown, ["not a plan file: values nested too deeply"]) from exc
    try:
        parsed = _FileIn.model_validate(data)
    except ValidationError as exc:
        raise PlanFileError(shown, _pydantic_problems(exc, data)) from exc
    except RecursionError as exc:
        raise PlanFileError(shown, ["not a plan file: values nested too deeply"]) from exc
    return _build(shown, parsed, work or WorkCalendar.shipped(), registry)


MAX_KEY_PARTS = 3  # a plan file needs "name", "[plan]", "[[tasks]]"; "a.b.c" is as far as anyone writes
MAX_NESTING = 4  # [[tasks]] with coordinate = ["…"] is 2 deep
# TOML's strings (multi-line first) and comments, so that the dots, brackets and equals signs inside them are not
# counted ("# Nơi nhận: … PCVP N.V.A" in a draft's comment is not a key). Scanned left to right, a "#" inside a string
# is taken with the string and a quote inside a comment with the comment.
_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|(#[^\n]*)')
_DOTTED = re.compile(
    r'(?<![A-Za-z0-9_-])(?:[A-Za-z0-9_-]+|"")(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_-]+|""))' + f"{{{MAX_KEY_PARTS}}}"
)


def shape_problem(text: str) -> str | None:
    """Whether the TOML has the shape of a plan file before it is parsed: tomllib takes time and memory quadratic in
    the parts of a dotted key (60 KB of "a.a.….a = 1" took the server to 3.6 GB), so keys of more than
    ``MAX_KEY_PARTS`` parts and values nested deeper than ``MAX_NESTING`` are refused unread. Linear in the text."""
    bare = _STRINGS.sub(lambda m: "" if m.group(1) else '""', text)
    dotted = _DOTTED.search(bare)  # keys, table headers and inline tables alike (strings are already out)
    if dotted:
        line = bare.count("\n", 0, dotted.start()) + 1
        return f"line {line}: a key of more than {MAX_KEY_PARTS} dotted parts is not of a plan file"
    depth = deepest = 0
    for m in re.finditer(r"[\[\]{}]|^[ \t]*\[\[?[^\n]*$", bare, re.MULTILINE):
        if len(m.group(0)) > 1:  # a table header: [plan], [[tasks]] (not a nested value)
            continue
        depth += 1 if m.group(0) in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            line = bare.count("\n", 0, m.start()) + 1
            return f"line {line}: not a plan file: values nested too deeply (more than {MAX_NESTING} levels)"
    return None


def _build(path: str, f: _FileIn, work: WorkCalendar, registry: Sequence[Registered] = ()) -> PlanSpec:
    problems: list[str] = []
    codes: dict[str, AgencySpec] = {}
    for i, a in enumerate(f.agencies):
        if a.code in codes:
            problems.append(f"agencies[{i}] (code {a.code!r}): field 'code': duplicate agency code")
        codes[a.code] = AgencySpec(a.code, reflow(a.name), a.kind, a.active)
    # The registry's agencies, named by code or taken by a group; the file's own definitions come first.
    known = {r.code: r for r in registry if r.code not in codes}
    if not codes and not known:
        problems.append("agencies: a plan file defines its agencies, or names those of the registry")
    on = f.plan.issued_on

    def expand(items: list[str], where: str, field: str) -> list[str]:
        out: list[str] = []
        for item in items:
            if item in SELECTORS:
                kinds = SELECTORS[item]
                out += [c for c, a in codes.items() if a.kind in kinds and a.active]
                out += [c for c, r in known.items() if r.kind in kinds and r.in_being(on)]
            elif item in codes or item in known:
                out.append(item)
            else:
                problems.append(f"{where}: field '{field}': unknown agency code {item!r}")
        return list(dict.fromkeys(out))

    tasks: list[TaskSpec] = []
    seen_refs: set[tuple[str, int]] = set()
    for i, t in enumerate(f.tasks):
        where = f"tasks[{i}] (ref {t.ref!r}" + (f", paragraph {t.paragraph})" if t.paragraph else ")")
        if (t.ref, t.paragraph) in seen_refs:
            problems.append(f"{where}: field 'ref': duplicate task ref and paragraph")
        seen_refs.add((t.ref, t.paragraph))
        assignments: list[tuple[str, TaskRole]] = []
        taken: set[str] = set()
        for name, role in ROLE_FIELDS:  # an agency named under two roles keeps the first (lead, then coordinate)
            for code in expand(getattr(t, name), where, name):
                if code not in taken:
                    taken.add(code)
                    assignments.append((code, role))
        if not assignments:
            problems.append(f"{where}: field 'carry_out': a task needs at least one agency")
        tasks.append(TaskSpec(t.ref, t.paragraph, reflow(t.title), reflow(t.text), tuple(assignments)))
    paragraphs = Counter(ref for ref, _ in seen_refs)
    for ref, n in paragraphs.items():
        if n > 1 and (ref, 0) in seen_refs:
            problems.append(f"tasks (ref {ref!r}): an item split into paragraphs needs a paragraph number on each")

    series: list[SeriesSpec] = []
    seen_series: set[str] = set()
    for i, s in enumerate(f.series):
        where = f"series[{i}] (code {s.code!r})"
        if s.code in seen_series:
            problems.append(f"{where}: field 'code': duplicate series code")
        seen_series.add(s.code)
        owed = expand(s.owed_by, where, "owed_by")
        # An agency never owes what it receives or compiles (issue 29: "đề nghị Thanh tra tỉnh gửi … về Thanh tra
        # tỉnh"): a group leaves them out, and naming them by code is refused.
        receiving = {c for c in (s.receiver, s.via) if c}
        for code in sorted(receiving & set(s.owed_by)):
            problems.append(
                f"{where}: field 'owed_by': {code!r} receives or compiles this report, so it does not send it "
                "(nhận báo cáo này nên không phải gửi)"
            )
        left_out = tuple(c for c in owed if c in receiving)
        owed = [c for c in owed if c not in receiving]
        for name, named in (("receiver", s.receiver), ("via", s.via)):
            if named is not None and named not in codes and named not in known:
                problems.append(f"{where}: field '{name}': unknown agency code {named!r}")
        if s.label and regimes.unknown_words(s.label):
            problems.append(
                f"{where}: field 'label': unknown {{…}} {regimes.unknown_words(s.label)}; "
                "use " + ", ".join(f"{{{w}}}" for w in regimes.WORDS)
            )
        periods: tuple[PeriodSpec, ...] = ()
        if s.recurrence is not Recurrence.AD_HOC:
            try:
                periods = _periods(s, parse_deadline(s.wording), f.plan, work)
            except DeadlineWordingError as exc:
                problems.append(f"{where}: field 'wording': {exc}")
                continue
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
                continue
            if not periods:
                problems.append(
                    f"{where}: field 'wording': no period of it falls due between {short_day(f.plan.issued_on)} and "
                    f"the end of {f.plan.span[1]}"
                )
        wording = reflow(s.receiver_wording) if s.receiver_wording else None
        series.append(
            SeriesSpec(
                s.code,
                s.name,
                s.recurrence,
                reflow(s.wording),
                tuple(owed),
                s.receiver,
                s.via,
                wording,
                periods,
                reflow(s.cutoff) if s.cutoff else None,
                left_out,
            )
        )

    if problems:
        raise PlanFileError(path, problems)
    p = f.plan
    return PlanSpec(
        number=p.number,
        title=reflow(p.title),
        issuing_body=p.issuing_body,
        issued_on=p.issued_on,
        signer=p.signer,
        signer_title=p.signer_title,
        year=p.span[0],
        year_to=p.span[1],
        agencies=tuple(codes.values()),
        tasks=tuple(tasks),
        series=tuple(series),
    )


def _periods(s: _SeriesIn, rule: DeadlineRule, plan: _PlanIn, work: WorkCalendar) -> tuple[PeriodSpec, ...]:
    """The periods of a series over the plan's years (``core.planning.regimes``). Ad-hoc series have none in the
    file: admins create them."""
    found = regimes.periods(
        s.recurrence, rule, s.name, plan.issued_on, plan.span, work, s.label, s.cutoff, s.first_month, s.last_month
    )
    return tuple(PeriodSpec(p.key, p.label, start_of_day(p.opens_on), p.due_at, p.data_from, p.data_to) for p in found)
