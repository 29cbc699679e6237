"""A document's pieces → a draft plan: the steps of ``core.reading`` in order, and the agencies the draft needs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.planning.calendar import WorkCalendar
from core.reading.duties import read_duties
from core.reading.header import read_closing, read_header
from core.reading.layout import paragraphs, text_of
from core.reading.model import KIND_VI, Draft, DraftAgency, DraftTask, Quote, Unmatched
from core.reading.names import GROUP_KINDS, Known, Mention, Names, guess_kind, new_code
from core.reading.outline import Outline, read_outline
from core.reading.reports import read_reports
from core.reading.source import MAX_CHARS, Source, Unreadable
from core.reading.tables import read_tables
from core.reading.text import fold, legacy_encoding, nfc, roman, unmarked
from core.types import AgencyKind

ALIAS = re.compile(r"\((?:sau đây\s+)?(?:gọi|viết)\s+(?:tắt|chung)(?:\s+là)?\s*:?\s*([^)]{2,60})\)", re.IGNORECASE)


def draft_plan(source: Source, registry: Sequence[Known], work: WorkCalendar | None = None) -> Draft:
    """Read ``source`` against the agencies of ``registry`` (active ones).

    Raises:
        Unreadable: no text, too much of it, or text in a legacy encoding (named in the message).
    """
    work = work or WorkCalendar.shipped()
    pieces = tuple(type(p)(unmarked(nfc(p.text)), p.kind) for p in source.pieces)
    chars = sum(len(p.text) for p in pieces)
    if chars > MAX_CHARS:
        raise Unreadable(
            f"{source.name}: văn bản dài {chars:,} ký tự, quá giới hạn {MAX_CHARS:,} "
            f"(the text has {chars:,} characters; at most {MAX_CHARS:,})"
        )
    if not any(p.text.strip() for p in pieces):
        raise Unreadable(f"{source.name}: tệp không có chữ nào để đọc (the file holds no text)")
    encoding = legacy_encoding(" ".join(p.text for p in pieces[:400]))
    if encoding:
        raise Unreadable(
            f"{source.name}: văn bản viết bằng bảng mã cũ {encoding}, không phải Unicode; hãy chuyển sang Unicode "
            f"(ví dụ Unikey: Công cụ chuyển mã) rồi gửi lại (the text is in the legacy {encoding} encoding; "
            "convert it to Unicode first)"
        )
    plain = Names(registry)
    paras = paragraphs(pieces, plain.names_only)
    text = text_of(paras)
    header = read_header(paras, text)
    d = Draft(source_name=source.name, source_format=source.format, text=text)
    issuer = header.issuer.value if header.issuer else ""
    m = re.search(r"\b(tỉnh|thành phố)\s+(.+)$", issuer, re.IGNORECASE)
    level, place = (m.group(1).lower(), m.group(2)) if m else ("tỉnh", "")
    own = _issuer(issuer, registry)
    names = Names([*registry, *own], place, level)
    names.issuer = next((k.code for k in [*registry, *own] if issuer and fold(k.name) == fold(issuer)), "")
    for m in ALIAS.finditer(text):
        _alias(names, text, m)
    outline = read_outline(paras, header.body_from)
    duties = read_duties(outline, names)
    closing = read_closing(paras, outline.end, issuer)
    if closing.signer is None and header.signed_within:  # the plan is signed by the Quyết định that issues it
        first, attached = header.signed_within
        closing = read_closing(paras[:attached], first, issuer)
    years = header.years
    reports = read_reports(outline, names, duties.owners, header.issued_on, years, work)

    if header.number:
        d.number = header.number.value
        d.quotes["number"] = _quote(header.number)
    if header.issued_on and header.date_found:
        d.issued_on = header.issued_on
        d.quotes["issued_on"] = _quote(header.date_found)
    d.place, d.parent_body, d.doc_type = header.place, header.parent, header.doc_type
    if header.issuer:
        d.issuing_body = issuer
        d.quotes["issuing_body"] = _quote(header.issuer)
    if header.title:
        d.title = header.title.value
        d.quotes["title"] = _quote(header.title)
    if years:
        d.year, d.year_to = years
    if closing.signer:
        d.signer, d.signer_title = closing.signer.value, closing.signer_title
        d.quotes["signer"] = _quote(closing.signer)
    d.recipients = closing.recipients
    d.legal_bases = [p.text.rstrip(";,. ") for p in outline.preamble if p.text.startswith("Căn cứ")]
    tables = read_tables(pieces, names, text)
    d.tasks = duties.tasks + tables.tasks
    d.problems += _twice_numbered(d.tasks, outline)
    d.series = reports.series
    _unaddressed(d, issuer, names.issuer)
    _agencies(d, registry, duties.unknown + tables.unknown + reports.unknown, own)
    if not d.agencies:  # nothing assigned: the registry's agencies the plan names, so that the draft still loads
        by_code = {k.code: k for k in registry}
        named = dict.fromkeys(t for m in names.scan(text) for t in m.targets if t in by_code)
        d.agencies = [DraftAgency(c, by_code[c].name, by_code[c].kind.value, True) for c in named]
    _problems(d, header.doc_type, duties.problems + reports.problems, registry)
    return d


def _quote(found: object) -> Quote:
    return Quote(getattr(found, "quote", ""), getattr(found, "start", -1), getattr(found, "end", -1))


def _alias(names: Names, text: str, m: re.Match[str]) -> None:
    """ "Các sở, ban, ngành (sau đây gọi tắt là cấp sở)": the names just before the bracket get the short name."""
    line_start = text.rfind("\n", 0, m.start()) + 1
    before = text[line_start : m.start()]
    found = names.scan(before)
    chain: list[Mention] = []
    end = len(before)
    for mention in reversed(found):
        if before[mention.end : end].strip(" ,;và") and chain:
            break
        if before[mention.end : end].strip(" ,;") and not chain:
            break
        chain.insert(0, mention)
        end = mention.start
    targets = tuple(t for x in chain for t in x.targets)
    if targets:
        names.define(m.group(1).strip(), targets)


def _twice_numbered(tasks: Sequence[DraftTask], outline: Outline) -> list[str]:
    """Two sections numbered alike by mistake ("III. NHIỆM VỤ", then "III. TỔ CHỨC THỰC HIỆN"): refs stay as
    written unless both assign tasks, when the later one's tasks take the next free numeral (a plan file's refs
    are unique), said in a problem."""
    problems: list[str] = []
    bounds = [s.head.start for s in outline.sections] + [10**12]
    used = {s.numeral for s in outline.sections}
    for i, section in enumerate(outline.sections):
        earlier = [j for j in range(i) if outline.sections[j].numeral == section.numeral]
        if not earlier:
            continue

        def within(j: int) -> list[DraftTask]:
            return [t for t in tasks if bounds[j] <= t.source.start < bounds[j + 1]]

        mine = within(i)
        if not mine or not any(within(j) for j in earlier):
            continue
        after = _number(outline.sections[i - 1].numeral) + 1  # the numeral after the section before it
        numeral = next(n for n in (roman(k) for k in range(after, 40)) if n not in used)
        used.add(numeral)
        for t in mine:
            t.ref = numeral + t.ref[len(section.numeral) :]
        problems.append(
            f"Văn bản có hai mục {section.numeral}; nhiệm vụ của mục {section.numeral} thứ hai "
            f"(“{section.title[:60]}”) ghi là mục {numeral} (two sections numbered alike)"
        )
    return problems


def _number(roman: str) -> int:
    values = [{"I": 1, "V": 5, "X": 10}[c] for c in roman]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _unaddressed(d: Draft, issuer: str, code: str) -> None:
    """A report whose clause names no receiver goes, by the plan's own authority, to the body that issued it (its
    ``code``; a plan of the provincial People's Committee asks for reports to it): said so, for the officer."""
    for s in d.series:
        if not s.receiver and not s.receiver_wording and code:
            s.receiver = code
            d.problems.append(
                f"{s.name}: văn bản không nêu nơi nhận báo cáo; tạm ghi {issuer} (cơ quan ban hành Kế hoạch) "
                "(no receiver named: the issuer assumed)"
            )


def _issuer(issuer: str, registry: Sequence[Known]) -> list[Known]:
    """The body that issues the plan, to be read as an agency where the plan names it ("báo cáo UBND tỉnh (qua Sở
    Tư pháp)"): the registry's when it holds it, else a new one with a proposed code (listed as unknown)."""
    if not issuer or any(fold(k.name) == fold(issuer) for k in registry):
        return []
    return [Known(new_code(issuer, (k.code for k in registry)), issuer, AgencyKind.OTHER)]


def _agencies(
    d: Draft, registry: Sequence[Known], unknown: list[tuple[Mention, str]], own: Sequence[Known] = ()
) -> None:
    """The agencies the draft names: the registry's (every one of a kind a group names, so that "@departments"
    means the same in the file), a new one for each name the registry does not know, and the issuer when the plan
    names it and the registry does not hold it."""
    by_code = {k.code: k for k in registry}
    used: dict[str, set[str]] = {}
    new: dict[str, str] = {}  # said (placeholder) → new code
    taken = set(by_code) | {k.code for k in own}
    for m, where in unknown:
        key = f"?{m.said}"
        if key not in new:
            code = new_code(m.said, taken)
            taken.add(code)
            new[key] = code
            d.unmatched.append(Unmatched(m.said, where, code))

    def resolve(values: list[str]) -> list[str]:
        return list(dict.fromkeys(new.get(v, v) for v in values if v))

    for t in d.tasks:
        t.lead, t.coordinate, t.carry_out = resolve(t.lead), resolve(t.coordinate), resolve(t.carry_out)
        for v in (*t.lead, *t.coordinate, *t.carry_out):
            used.setdefault(v, set())
    for s in d.series:
        s.owed_by = resolve(s.owed_by)
        s.receiver = new.get(s.receiver, s.receiver)
        s.via = new.get(s.via, s.via)
        for v in (*s.owed_by, s.receiver, s.via):
            if v:
                used.setdefault(v, set())
    kinds = {kind for g in used if g in GROUP_KINDS for kind in GROUP_KINDS[g]}
    codes = [k.code for k in registry if k.kind in kinds or k.code in used]
    d.agencies = [DraftAgency(c, by_code[c].name, by_code[c].kind.value, True) for c in codes]
    for k in own:
        if k.code in used:
            d.agencies.append(DraftAgency(k.code, k.name, k.kind.value, False, [k.name]))
            d.unmatched.append(Unmatched(k.name, "", k.code))
    for said, code in new.items():
        d.agencies.append(DraftAgency(code, said[1:], guess_kind(said[1:]).value, False, [said[1:]]))


def _problems(d: Draft, doc_type: str, found: list[str], registry: Sequence[Known]) -> None:
    missing = [
        ("số, ký hiệu (the number)", d.number),
        ("ngày ban hành (the date)", d.issued_on),
        ("cơ quan ban hành (the issuer)", d.issuing_body),
        ("trích yếu (the title)", d.title),
        ("người ký (the signer)", d.signer),
    ]
    d.problems += [f"Không đọc được {what}" for what, value in missing if not value]
    if doc_type and doc_type != "KẾ HOẠCH":
        d.problems.append(f"Văn bản là {doc_type.lower()}, không phải kế hoạch (not a plan): kiểm tra kỹ bản nháp")
    d.problems += found
    for u in d.unmatched:
        kind = next(a.kind for a in d.agencies if a.code == u.code)
        d.problems.append(
            f"Cơ quan chưa có trong danh mục: “{u.said}”{f' (mục {u.where})' if u.where else ''}; tạm đặt mã {u.code}, "
            f"loại {KIND_VI.get(kind, kind)} (unknown agency: check its code and kind)"
        )
    for s in d.series:
        if s.note:
            d.problems.append(f"{s.name}: {s.note}")
    if d.tasks and not any(k.kind.value in ("department", "district", "commune") for k in registry):
        d.problems.append(
            "Danh mục cơ quan chưa có sở, ban, ngành, UBND cấp huyện, cấp xã nào: nạp danh mục trước "
            "(the agency registry is empty)"
        )
    if not d.tasks and d.number:
        d.problems.append("Không tìm thấy nhiệm vụ nào giao cho cơ quan (no tasks found)")
    if not d.series and d.number:
        d.problems.append("Không tìm thấy chế độ báo cáo nào có thời hạn (no reporting deadlines found)")


def settle(d: Draft, registry: Sequence[Known]) -> list[str]:
    """After corrections: the agencies the draft names, again (the registry's for the codes and groups its tasks and
    series use, and the new ones it still uses); the codes neither knows, as problems (in Vietnamese)."""
    by_code = {k.code: k for k in registry}
    new = {a.code: a for a in d.agencies if not a.known and a.code not in by_code}
    used = d.used_codes()
    groups = {c for t in d.tasks for c in (*t.lead, *t.coordinate, *t.carry_out) if c.startswith("@")}
    groups |= {c for s in d.series for c in s.owed_by if c.startswith("@")}
    kinds = {kind for g in groups for kind in GROUP_KINDS.get(g, ())}
    d.agencies = [
        DraftAgency(k.code, k.name, k.kind.value, True) for k in registry if k.kind in kinds or k.code in used
    ]
    d.agencies += [a for code, a in new.items() if code in used]
    unknown = sorted(used - set(by_code) - set(new)) + sorted(g for g in groups if g not in GROUP_KINDS)
    return [f"{UNKNOWN_CODE} “{c}” (unknown agency code)" for c in unknown]


UNKNOWN_CODE = "Mã cơ quan không có trong danh mục:"


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """What reading a document answers (out of the reader's box): its name, format, pages and the draft."""

    name: str
    format: str
    pages: int
    draft: Draft


def read_plan(source: Source, registry: Sequence[Known]) -> ReadPlan:
    """``draft_plan`` of ``source``, with what the caller needs of the source."""
    return ReadPlan(source.name, source.format, source.pages, draft_plan(source, registry))
