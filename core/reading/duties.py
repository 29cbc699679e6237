"""Who does what: a plan's items → tasks with the agencies named in each and their roles.

How provincial plans say it (plan 46 has each form):
- a section that opens with a sentence giving a whole group the section's duties ("Thủ trưởng các Sở, ban, ngành,
  Chủ tịch Ủy ban nhân dân huyện, thành phố … có trách nhiệm …, cụ thể:"): every item under it is theirs to carry
  out;
- an item that only names agencies ("1. Sở Nội vụ"), its duties in the paragraphs (or lettered parts) below it,
  one task each; a duty that opens "Chủ trì" makes them lead, and the agencies after "phối hợp với" coordinate;
- an item that opens with agencies and goes on ("10. Các sở, ban, ngành; … căn cứ …"): one task, theirs;
- "Đề nghị Ban Dân vận Tỉnh ủy": a body outside the administration, asked (carry out, marked as a request);
- "X chủ trì, phối hợp với Y …" inside a duty, or "Cơ quan chủ trì: X; cơ quan phối hợp: Y".
Sections of purposes and requirements ("MỤC ĐÍCH, YÊU CẦU") assign nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.reading.layout import Para
from core.reading.model import DraftTask, Quote
from core.reading.names import Mention, Names
from core.reading.outline import Item, Outline, Section
from core.reading.text import capitalise, fold

PURPOSES = ("muc dich", "yeu cau", "muc tieu", "quan diem", "nguyen tac", "tinh hinh", "ket qua", "danh gia")
DUTIES = ("nhiem vu", "noi dung", "giai phap", "to chuc thuc hien", "phan cong", "trach nhiem")
OPENING_DUTY = ("trach nhiem", "thuc hien", "trien khai", "cu the", "to chuc", "chi dao")
REQUEST = re.compile(r"^\s*Đề nghị\s+", re.IGNORECASE)
# "Cơ quan chủ trì:", "Đơn vị chủ trì thực hiện:", "Đơn vị phối hợp thực hiện:" (a task's block of agencies)
LEAD_LABEL = re.compile(r"(?:(?:Cơ quan|Đơn vị)\s+)?chủ trì(?:\s+thực hiện)?\s*:\s*", re.IGNORECASE)
COORDINATE_LABEL = re.compile(r"(?:(?:Cơ quan|Đơn vị)\s+)?phối hợp(?:\s+thực hiện)?\s*:\s*", re.IGNORECASE)
WITH = re.compile(r"phối hợp(?:\s+chặt chẽ)?(?:\s+với)?\s+", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ])")
TITLE_MAX = 110
# The facets of one task, each a lettered part: what, who, by when, with what
FACET = re.compile(
    r"^(?:nhiem vu|noi dung|co quan thuc hien|don vi thuc hien|co quan chu tri|don vi chu tri|thoi gian|thoi han"
    r"|tien do|san pham|kinh phi|ket qua)\b"
)
SUBITEM_LABEL = re.compile(r"^\d{1,2}\.\d{1,2}\.$")


@dataclass
class Who:
    lead: list[Mention] = field(default_factory=list)
    coordinate: list[Mention] = field(default_factory=list)
    carry_out: list[Mention] = field(default_factory=list)
    requested: bool = False
    quote: Quote = field(default_factory=Quote)
    specific: bool = False  # the duty opens with these names: theirs alone, not the section's group's too

    def __bool__(self) -> bool:
        return bool(self.lead or self.coordinate or self.carry_out)


@dataclass
class Duties:
    tasks: list[DraftTask] = field(default_factory=list)
    unknown: list[tuple[Mention, str]] = field(default_factory=list)  # a name the registry lacks, and where
    problems: list[str] = field(default_factory=list)
    owners: dict[str, Who] = field(default_factory=dict)  # ref ("III.10") → who the item is for


def read_duties(outline: Outline, names: Names) -> Duties:
    out = Duties()
    for section in outline.sections:
        if _purposes(section):
            continue
        default = _opening(section, names)
        for item in section.items:
            _item(out, section, item, default, names)
    return out


def _purposes(section: Section) -> bool:
    title = fold(section.title)
    return any(w in title for w in PURPOSES) and not any(w in title for w in DUTIES)


def _opening(section: Section, names: Names) -> Who:
    """A sentence before the first item that gives the whole section to a group."""
    for p in section.opening:
        found, rest = names.leading(p.text)
        known = [m for m in found if m.known]
        if known and any(w in fold(p.text[rest:]) for w in OPENING_DUTY):
            return Who(carry_out=known, quote=Quote(p.text[: known[-1].end], p.start, p.start + known[-1].end))
    return Who()


def _item(out: Duties, section: Section, item: Item, default: Who, names: Names) -> None:
    ref = f"{section.numeral}.{item.number}"
    head = item.head_text
    base = item.head.end - len(head)
    requested = bool(REQUEST.match(head))
    body = REQUEST.sub("", head) if requested else head
    shift = len(head) - len(body)
    found, rest = names.leading(body)
    for m in found:
        if not m.known:
            out.unknown.append((m, ref))
    own = Who(
        carry_out=list(found),
        requested=requested,
        quote=Quote(head[: shift + found[-1].end], base, base + shift + found[-1].end) if found else Quote(),
    )
    if found and not body[rest:].strip(" .,;:"):
        _by_paragraph(out, ref, item, own, names, speaks=True)  # "1. Sở Nội vụ": the duties follow
        return
    if found:
        _one(out, ref, item, _roles(body[rest:], names, own) or own, names)  # "10. Các sở, ban, ngành … căn cứ …"
        return
    facets = sum(1 for part in item.parts if FACET.match(fold(_text(part.paras)[:40])))
    if facets >= 2 and not any(SUBITEM_LABEL.match(part.label) for part in item.parts):
        # "a) Nhiệm vụ: …", "b) Cơ quan thực hiện: - Đơn vị chủ trì: …", "c) Thời gian thực hiện: …": one task
        _one(out, ref, item, _roles(_whole(item), names, Who()) or default, names)
        return
    if any(_roles(_text(part.paras), names, Who()) for part in item.parts):
        _by_paragraph(out, ref, item, default, names, speaks=False)  # "a) Sở Nội vụ chủ trì …", "b) …"
        return
    whole = _whole(item)
    inner = _roles(whole, names, Who(), _duty_start(item))
    if inner:
        if default and not inner.specific:  # the section's group does it, and the one named leads
            inner.carry_out += default.carry_out
        inner.quote = inner.quote if inner.quote.text else Quote(head, base, base + len(head))
        _one(out, ref, item, inner, names)
    elif default:
        _one(out, ref, item, default, names)
    elif any(w in fold(section.title) for w in DUTIES):
        out.problems.append(f"Mục {ref} không nêu cơ quan thực hiện (no agency named): “{_title(head, names)}”")


def _duty_start(item: Item) -> int:
    """Where an item's duty starts in ``_whole(item)``: after "Cải cách thể chế:", or after a heading that is only
    a title ("5. Cải cách tài chính công"), else at its start."""
    head = item.head_text
    colon = head.find(":")
    if 0 < colon < 120:
        return colon + 1
    if not re.search(r"[.;:]", head) and len(head) < 150 and (item.paras or item.parts):
        return len(head) + 2
    return 0


def _by_paragraph(out: Duties, ref: str, item: Item, owner: Who, names: Names, speaks: bool) -> None:
    """One task per paragraph or lettered part: under an item that names who (III.1 "Sở Nội vụ": four duties,
    ``speaks``), or whose parts name their own (else the section's group, ``owner``, does it)."""
    units: list[tuple[str, Para]] = [(p.text, p) for p in item.paras]
    numbered = False  # "1.1. Xây dựng …:" then "a) Nhiệm vụ: …", "b) Cơ quan thực hiện: …": one duty, its parts
    for part in item.parts:
        if SUBITEM_LABEL.match(part.label):
            numbered = True
        elif numbered and units:
            text, first = units[-1]
            units[-1] = (f"{text}\n\n{part.label} {_text(part.paras)}", first)
            continue
        units.append((_text(part.paras), part.paras[0]))
    units.sort(key=lambda u: u[1].start)
    if not units:
        _one(out, ref, item, owner, names)
        return
    out.owners[ref] = owner
    for n, (text, para) in enumerate(units, start=1):
        who = _roles(text, names, owner if speaks else Who()) or owner
        _unknown(out, who, ref)
        last = _last(item, para)
        task = _task(ref, n if len(units) > 1 else 0, text, who, names)
        task.source = Quote(text[:200], para.start, last)
        out.tasks.append(task)


def _unknown(out: Duties, who: Who, ref: str) -> None:
    out.unknown += [(m, ref) for m in (*who.lead, *who.coordinate) if not m.known]


def _last(item: Item, para: Para) -> int:
    for part in item.parts:
        if part.paras and part.paras[0] is para:
            return part.paras[-1].end
    return para.end


def _one(out: Duties, ref: str, item: Item, who: Who, names: Names) -> None:
    out.owners[ref] = who
    _unknown(out, who, ref)
    text = _whole(item)
    task = _task(ref, 0, text, who, names)
    end = max([item.head.end] + [p.end for p in item.paras] + [x.end for part in item.parts for x in part.paras])
    task.source = Quote(text[:200], item.head.start, end)
    out.tasks.append(task)


def _whole(item: Item) -> str:
    parts = [item.head_text] + [p.text for p in item.paras]
    parts += [f"{part.label} {_text(part.paras)}" for part in item.parts]
    return "\n\n".join(x for x in parts if x)


def _text(paras: list[Para]) -> str:
    return "\n\n".join(p.text for p in paras)


def _roles(text: str, names: Names, owner: Who, duty: int = 0) -> Who | None:
    """Who the words of one duty name, and how. With an ``owner`` (the item names who): "Chủ trì[, phối hợp với Y]"
    makes it lead and Y coordinate. Inside the duty: "X chủ trì, phối hợp với Y", "Cơ quan chủ trì: X; cơ quan phối
    hợp: Y", or names that open it ("Các sở, ban, ngành … thực hiện") and carry it out. ``specific``: the names open
    the duty (from ``duty``), so it is theirs alone. None when it names no one itself."""
    folded = fold(text).lstrip(" ,")
    if owner and folded.startswith("chu tri"):
        w = WITH.search(text)
        partners = names.after(text, w.end()) if w and w.start() < 40 else []
        return Who(
            lead=owner.carry_out + owner.lead,
            coordinate=partners,
            requested=owner.requested,
            quote=owner.quote,
            specific=True,
        )
    if owner:
        return None  # "Phối hợp với …", "Tham mưu …": still the owner's to carry out (plan 46, III.7 and III.9)
    lead: list[Mention] = []
    coordinate: list[Mention] = []
    for m in LEAD_LABEL.finditer(text):  # a label names the agency even when the registry does not know it
        lead += names.leading(text, m.end())[0]
    for m in COORDINATE_LABEL.finditer(text):
        coordinate += names.leading(text, m.end())[0]
    if lead or coordinate:
        return Who(lead=lead, coordinate=coordinate, specific=True)
    subject: list[Mention] = []
    specific = False
    for start in sorted({duty, *(m.end() for m in SENTENCE.finditer(text))}):
        found, rest = names.leading(text, start)
        known = [x for x in found if x.known]
        if not known:
            continue
        if fold(text[rest : rest + 12]).startswith("chu tri"):
            lead += known
            w = WITH.search(text, rest, rest + 60)
            if w:
                coordinate += names.after(text, w.end())
            specific = specific or start == duty
        elif start == duty and not subject:
            subject = known
    if lead:
        return Who(lead=lead, coordinate=coordinate, specific=specific)
    if subject:
        return Who(carry_out=subject, specific=True)
    return None


def _task(ref: str, paragraph: int, text: str, who: Who, names: Names) -> DraftTask:
    def codes(ms: list[Mention]) -> list[str]:
        return list(dict.fromkeys(t for m in ms for t in (m.targets or (f"?{m.said}",))))

    title = _title(text, names)
    if who.requested:
        title = f"(Đề nghị) {title}"
    return DraftTask(
        ref=ref,
        paragraph=paragraph,
        title=title,
        text=text,
        lead=codes(who.lead),
        coordinate=codes(who.coordinate),
        carry_out=codes(who.carry_out),
        requested=who.requested,
        quote=who.quote,
    )


def _title(text: str, names: Names) -> str:
    """A task's title: the first clause of its duty after who does it ("Chủ trì, phối hợp với …", "Các sở, ban,
    ngành …"), at most ``TITLE_MAX`` letters."""
    first = text.split("\n", 1)[0]
    found, rest = names.leading(first)
    if found and rest < len(first):
        first = first[rest:]
    if fold(first).startswith("chu tri"):
        first = re.sub(r"^Chủ trì,?\s*", "", first, flags=re.IGNORECASE)
        m = WITH.match(first)
        if m:
            after = names.after(first, m.end())
            first = first[after[-1].end :] if after else first[m.end() :]
    first = first.lstrip(" ,;:")
    m = re.search(r"(?<!\d)[.;:](?=\s|$)", first)
    clause = first[: m.start()] if m else first
    if len(clause) > TITLE_MAX:
        clause = clause[:TITLE_MAX].rsplit(" ", 1)[0].rstrip(",;: ") + "…"
    return capitalise(clause.strip())
