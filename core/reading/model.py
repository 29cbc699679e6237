"""A draft plan: what was read from a document, each value with the words it came from, and what could not be
decided. It is data (``to_json``/``from_json``): the dashboard keeps it in the database while an admin corrects
it, and ``render`` writes it as a plan file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

KIND_VI = {  # an agency's kind as Sở Nội vụ says it
    "department": "sở, ban, ngành",
    "district": "UBND cấp huyện",
    "commune": "UBND cấp xã",
    "other": "cơ quan khác",
}


@dataclass
class Quote:
    """The words a value came from, and where they stand in the document's text (-1: not from the document)."""

    text: str = ""
    start: int = -1
    end: int = -1


@dataclass
class DraftAgency:
    code: str
    name: str
    kind: str  # AgencyKind's value
    known: bool  # in the registry (its code is the registry's); else new, to be checked
    said: list[str] = field(default_factory=list)  # how the plan names it


@dataclass
class DraftTask:
    ref: str  # "III.1"
    paragraph: int  # 0, or its paragraph under an item split into several duties
    title: str
    text: str  # paragraphs separated by a blank line
    lead: list[str] = field(default_factory=list)  # codes or groups ("@departments")
    coordinate: list[str] = field(default_factory=list)
    carry_out: list[str] = field(default_factory=list)
    requested: bool = False  # "Đề nghị …": a body outside the administration, asked rather than assigned
    quote: Quote = field(default_factory=Quote)  # the words that say who
    source: Quote = field(default_factory=Quote)  # the paragraph(s) of the duty


@dataclass
class DraftSeries:
    code: str
    name: str
    recurrence: str  # Recurrence's value
    wording: str  # the deadline as the plan words it
    owed_by: list[str] = field(default_factory=list)
    receiver: str = ""
    via: str = ""
    receiver_wording: str = ""
    first_month: int | None = None
    last_month: int | None = None
    cutoff: str = ""
    quote: Quote = field(default_factory=Quote)
    note: str = ""  # why a value was chosen ("the March report would be due the day after signing")
    label: str = ""  # its periods' label, when not the regime's own ("Báo cáo 9h00 ngày {day}/{month}/{year}")


@dataclass
class Unmatched:
    """A name the registry does not know, where it stands, and the code the draft gave it."""

    said: str
    where: str
    code: str


@dataclass
class Draft:
    source_name: str = ""
    source_format: str = ""
    number: str = ""
    issued_on: date | None = None
    issuing_body: str = ""
    parent_body: str = ""
    place: str = ""
    doc_type: str = ""
    title: str = ""
    year: int | None = None
    year_to: int | None = None
    signer: str = ""
    signer_title: str = ""
    legal_bases: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    agencies: list[DraftAgency] = field(default_factory=list)
    tasks: list[DraftTask] = field(default_factory=list)
    series: list[DraftSeries] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what it could not decide, in Vietnamese
    quotes: dict[str, Quote] = field(default_factory=dict)  # header fields → the words they came from
    text: str = ""  # the document's text (the quotes index it)

    @property
    def empty(self) -> bool:
        """Nothing at all was read: no number, date, title, task or series."""
        return not (self.number or self.issued_on or self.title or self.tasks or self.series)

    def rename_agency(self, old: str, new: str) -> None:
        """An agency's code corrected: every task and series that names it follows."""
        if old == new:
            return

        def swap(values: list[str]) -> list[str]:
            return list(dict.fromkeys(new if v == old else v for v in values))

        for t in self.tasks:
            t.lead, t.coordinate, t.carry_out = swap(t.lead), swap(t.coordinate), swap(t.carry_out)
        for s in self.series:
            s.owed_by = swap(s.owed_by)
            s.receiver = new if s.receiver == old else s.receiver
            s.via = new if s.via == old else s.via
        for u in self.unmatched:
            u.code = new if u.code == old else u.code

    def used_codes(self) -> set[str]:
        """The agency codes (not groups) its tasks and series name."""
        found = {c for t in self.tasks for c in (*t.lead, *t.coordinate, *t.carry_out)}
        found |= {c for s in self.series for c in (*s.owed_by, s.receiver, s.via)}
        return {c for c in found if c and not c.startswith("@")}

    def to_json(self, with_text: bool = True) -> dict[str, Any]:
        data = asdict(self)
        data["issued_on"] = self.issued_on.isoformat() if self.issued_on else None
        if not with_text:
            data.pop("text")
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> Draft:
        """The draft ``to_json`` gave (the dashboard's copy).

        Raises:
            ValueError: not a draft.
        """
        try:
            d = Draft(
                **{
                    k: v
                    for k, v in data.items()
                    if k not in ("agencies", "tasks", "series", "unmatched", "quotes", "issued_on")
                }
            )
            d.issued_on = date.fromisoformat(data["issued_on"]) if data.get("issued_on") else None
            d.agencies = [DraftAgency(**a) for a in data.get("agencies", [])]
            d.tasks = [_task(t) for t in data.get("tasks", [])]
            d.series = [_series(s) for s in data.get("series", [])]
            d.unmatched = [Unmatched(**u) for u in data.get("unmatched", [])]
            d.quotes = {k: Quote(**q) for k, q in data.get("quotes", {}).items()}
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValueError(f"not a draft: {exc}") from exc
        return d


def _task(t: dict[str, Any]) -> DraftTask:
    return DraftTask(**{**t, "quote": Quote(**t.get("quote", {})), "source": Quote(**t.get("source", {}))})


def _series(s: dict[str, Any]) -> DraftSeries:
    return DraftSeries(**{**s, "quote": Quote(**s.get("quote", {}))})
