"""The reporting clauses of a plan → report series, in the plan's own words and read by the deadline grammar
(``core.deadlines``): who reports, to whom and through whom, and by when for each regime.

Plan 46 says it in one sentence (III.10): "… báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh (qua Sở Nội vụ
tổng hợp, chậm nhất trong ngày 15 hàng tháng đối với báo cáo tháng, trước ngày 25/5/2023 đối với báo cáo 6
tháng, trước ngày 25/11/2023 đối với báo cáo năm)". Other plans name the regime first ("Báo cáo quý gửi trước
ngày 05 tháng cuối cùng của mỗi quý"); both are read, one clause at a time.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from core.deadlines import DeadlineRule, DeadlineWordingError, parse_deadline
from core.i18n import format_day
from core.planning import regimes
from core.planning.calendar import WorkCalendar
from core.reading.duties import Who
from core.reading.layout import Para
from core.reading.model import DraftSeries, Quote
from core.reading.names import ALL, Mention, Names
from core.reading.outline import Outline
from core.reading.text import fold
from core.types import Recurrence

# The regimes as plans name them (folded), the most specific first: "6 tháng" before "tháng".
KINDS: tuple[tuple[re.Pattern[str], Recurrence], ...] = (
    (
        re.compile(r"\b(?:hang|moi) ngay\b|\bbao cao ngay\b(?! \d)|\bcac ngay lam viec\b|\blan (?:moi )?ngay\b"),
        Recurrence.DAILY,
    ),
    (re.compile(r"\b(?:hang|moi|cac) tuan\b|\bbao cao tuan\b"), Recurrence.WEEKLY),
    (re.compile(r"\b(?:9|chin) thang\b"), Recurrence.NINE_MONTHS),
    (re.compile(r"\b(?:6|sau) thang\b"), Recurrence.SEMI_ANNUAL),
    (
        re.compile(r"\bbao cao (?:dinh ky )?(?:hang |theo |moi |tung )?quy\b|\b(?:hang|moi|tung|dinh ky) quy\b"),
        Recurrence.QUARTERLY,
    ),
    (re.compile(r"\bbao cao (?:dinh ky )?(?:hang |theo )?thang\b|\b(?:hang|dinh ky) thang\b"), Recurrence.MONTHLY),
    (
        re.compile(r"\bbao cao (?:dinh ky )?(?:hang |theo |ca |mot |tong ket )?nam\b|\b(?:hang|mot|ca) nam\b"),
        Recurrence.ANNUAL,
    ),
)
MARKER = re.compile(
    r"\b(?:truoc|cham nhat|muon nhat|han chot|thoi han|khong qua|khong muon hon|den het|trong ngay"
    r"|vao ngay)\b"
)
CODES = {
    Recurrence.DAILY: ("ngay", "Báo cáo ngày"),
    Recurrence.WEEKLY: ("tuan", "Báo cáo tuần"),
    Recurrence.MONTHLY: ("thang", "Báo cáo tháng"),
    Recurrence.QUARTERLY: ("quy", "Báo cáo quý"),
    Recurrence.SEMI_ANNUAL: ("6thang", "Báo cáo 6 tháng"),
    Recurrence.NINE_MONTHS: ("9thang", "Báo cáo 9 tháng"),
    Recurrence.ANNUAL: ("nam", "Báo cáo năm"),
    Recurrence.AD_HOC: ("dotxuat", "Báo cáo đột xuất"),
}
ORDER = list(CODES)
CLAUSE = re.compile(r"[,;()]")
# To whom: "về Ủy ban nhân dân tỉnh", "gửi Sở Tư pháp", and the verb itself: "báo cáo UBND tỉnh (qua Sở Tư pháp)"
TO = re.compile(r"\b(?:về|gửi|tới|đến|báo cáo|tham mưu)\s+(?!ngày)", re.IGNORECASE)
COMPILES = re.compile(r"^\W*(?:để\s+)?tổng hợp", re.IGNORECASE)  # "gửi Sở X (để) tổng hợp, báo cáo UBND tỉnh"
# Who owes a report, described and not named: "- Cơ quan thường trực Ban Chỉ đạo … báo cáo …", and a numbered part's
# heading "Trách nhiệm của các đơn vị trực thuộc:"
DESCRIBED_OWNER = re.compile(r"^[-–+•]?\s*((?:[Cc]ơ quan|[Đđ]ơn vị|[Đđ]ối tượng|[Bb]ộ phận)\s[^,;:.()]{3,80})")
# The one standing body of a named committee or working group ("Cơ quan thường trực Ban Chỉ đạo …", "… Tổ công tác …"):
# a body the plan names by its role, an agency of its own for the registry (not a class of bodies)
STANDING = re.compile(r"^[Cc]ơ quan (?:thường trực|đầu mối) (?:của )?(?:Ban|Tổ|Hội đồng|Ủy ban)\b")
RESPONSIBLE = re.compile(r"^(?:Trách nhiệm|Nhiệm vụ)\s+của\s+(?:các\s+)?(.{3,80}?)\s*(?:\(|:|$)")
# A receiver described, not named: "gửi báo cáo cho cơ quan chủ quản", "báo cáo đơn vị được giao tổng hợp …"
DESCRIBED = re.compile(
    r"\b(?:về|gửi|cho|báo cáo)\s+((?:cơ quan|đơn vị)\s+[^,;.()]*?)(?=\s+(?:theo|trước|chậm nhất|trong)\b|[,;.()]|$)"
)
VIA = re.compile(r"\(?\bqua\s+", re.IGNORECASE)
ASKS = re.compile(r"\s*(?:yêu\s+cầu|đề\s+nghị|giao|chỉ\s+đạo)\s+", re.IGNORECASE)
FAR = 8  # words between a regime and its deadline beyond which the deadline's words are quoted on their own
SOON = 7  # days: a first deadline sooner than this after signing is not one the plan can mean (plan 46's 15/3)
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])")  # not ";": "Các sở, ban, ngành; UBND các xã …" is one subject


@dataclass
class Reports:
    series: list[DraftSeries] = field(default_factory=list)
    more: list[DraftSeries] = field(default_factory=list)  # a regime's further series, by other days
    problems: list[str] = field(default_factory=list)
    unknown: list[tuple[Mention, str]] = field(default_factory=list)


@dataclass
class _Context:
    owner: Who
    ref: str
    described: str = ""  # the owner as a numbered part's heading describes it ("Trách nhiệm của đối tượng …")


def read_reports(
    outline: Outline,
    names: Names,
    owners: dict[str, Who],
    issued_on: date | None,
    years: tuple[int, int] | None,
    work: WorkCalendar,
) -> Reports:
    out = Reports()
    found: dict[Recurrence, DraftSeries] = {}
    ad_hoc: list[tuple[Para, _Context]] = []
    once: list[DraftSeries] = []
    duty: Para | None = None  # the paragraph a "Thời hạn hoàn thành: …" line closes
    for para, ctx in _paragraphs(outline, owners, names):
        duty = _once(out, once, para, duty, ctx, names)
        for sentence, start in _sentences(para):
            folded = fold(sentence)
            if "bao cao" not in folded:
                continue
            if "dot xuat" in folded:
                ad_hoc.append((Para(sentence, start), ctx))
            _sentence(out, found, sentence, start, ctx, names)
    cutoff = _cutoff(outline)
    for s in [*found.values(), *out.more]:
        _first_period(s, issued_on, years, work)
        s.cutoff = cutoff
    if ad_hoc and Recurrence.AD_HOC not in found:
        para, ctx = ad_hoc[0]
        periodic = next(iter(found.values()), None)
        owed = list(periodic.owed_by) if periodic else _codes(ctx.owner.carry_out + ctx.owner.lead)
        m = re.search(r"(?:hoặc\s+)?đột xuất[^,;.)]*", para.text)
        wording = m.group(0).strip() if m else "đột xuất"
        s = DraftSeries(
            "dotxuat",
            "Báo cáo đột xuất",
            Recurrence.AD_HOC.value,
            wording,
            owed or [ALL],
            quote=Quote(para.text[:300], para.start, para.end),
        )
        if periodic:
            s.receiver, s.via, s.receiver_wording = periodic.receiver, periodic.via, periodic.receiver_wording
        found[Recurrence.AD_HOC] = s
    out.series = [found[r] for r in ORDER if r in found] + out.more + once
    return out


# A duty closed by its completion date, as plans set them in their task lists (Nghị định 30/2020's "Thời hạn hoàn
# thành"): "- Báo cáo kết quả rà soát về Sở Nội vụ. / Thời hạn hoàn thành: Trước ngày 30/6/2026."
DONE_BY = re.compile(
    r"(?:^|(?<=[.;]\s))Thời\s+(?:hạn|gian)\s+hoàn\s+thành\s*:?\s*(?P<by>(?:trước|chậm\s+nhất)(?:\s+ngày)?\s+"
    r"\d{1,2}/\d{1,2}/(?:19|20)\d\d)\s*\.?\s*$",
    re.IGNORECASE,
)
# "báo cáo" as the duty's own verb, with what or whom it reports: "báo cáo kết quả …", "để báo cáo cơ quan …";
# not a noun in a list ("phân công đơn vị theo dõi, báo cáo và các đơn vị phối hợp")
REPORTS = re.compile(r"(?:^|[,;:]\s*|\bđể\s+|\bvà\s+)[-–•+]?\s*báo\s+cáo\s+(?!và\b|hoặc\b|theo\s+quy\s+định)\w", re.I)


def _once(
    out: Reports, once: list[DraftSeries], para: Para, duty: Para | None, ctx: _Context, names: Names
) -> Para | None:
    """A report owed once, by a full date (a task list's "Thời hạn hoàn thành: Trước ngày 30/6/2026" after a duty
    whose verb is "báo cáo"), as a series of its own; answers the paragraph the next such line would close."""
    m = DONE_BY.search(para.text)
    if m is None:
        return para
    words = para.text[: m.start()].strip() or (duty.text if duty else "")
    if not REPORTS.search(words):
        return None
    wording = _tidy(m.group("by"))
    wording = wording[:1].lower() + wording[1:]
    try:
        rule = parse_deadline(wording)
        regimes.check(Recurrence.ANNUAL, rule)
    except (DeadlineWordingError, regimes.RegimeError):
        return None
    n = len(once) + 1
    quote = f"{words} {m.group(0).strip()}" if words is not para.text else para.text
    s = DraftSeries(
        f"baocao{n}",
        f"Báo cáo hạn {wording.removeprefix('trước ngày ').removeprefix('chậm nhất ngày ')}",
        Recurrence.ANNUAL.value,
        wording,
        _owed(out, words, ctx, names),
        quote=Quote(quote[:400], para.start, para.end),
    )
    receiver = _receiver(out, words, ctx, names)
    if receiver:
        s.receiver, s.via, s.receiver_wording = receiver
    s.note = f"báo cáo một lần, hạn {wording} (a report owed once)"
    once.append(s)
    return None


def _paragraphs(outline: Outline, owners: dict[str, Who], names: Names | None = None) -> list[tuple[Para, _Context]]:
    """Every body paragraph with the item it belongs to and who that item is for (a numbered part headed by agencies
    alone, "2.3. Ủy ban nhân dân các xã, phường", for those agencies)."""
    out: list[tuple[Para, _Context]] = []
    for section in outline.sections:
        for p in section.opening:
            out.append((p, _Context(Who(), section.numeral)))
        for item in section.items:
            ref = f"{section.numeral}.{item.number}"
            ctx = _Context(owners.get(ref, Who()), ref)
            head = Para(item.head_text, item.head.end - len(item.head_text))
            out += [(p, ctx) for p in [head, *item.paras]]
            for part in item.parts:
                own = ctx
                if names is not None and part.paras and (heads := _heading_names(part.paras[0].text, names)):
                    own = _Context(Who(carry_out=heads), ref)
                elif part.paras and (said := RESPONSIBLE.match(part.paras[0].text)):
                    whose, _ = names.leading(said.group(1)) if names is not None else ([], 0)
                    own = ctx if any(m.known for m in whose) else _Context(Who(), ref, said.group(1))
                out += [(p, own) for p in part.paras]
    return out


def _heading_names(text: str, names: Names) -> list[Mention]:
    """The agencies a part's heading names when it is nothing else ("Sở Nội vụ - cơ quan thường trực …")."""
    if len(text) > 200:
        return []
    found, _ = names.leading(text)
    known = [m for m in found if m.known]
    return known if known and text[found[-1].end :].lstrip()[:1] in ("-", "–", "(", ":", "") else []


def _sentences(p: Para) -> list[tuple[str, int]]:
    cuts = [0] + [m.end() for m in SENTENCE.finditer(p.text)] + [len(p.text)]
    return [(p.text[a:b].strip(), p.start + a) for a, b in itertools.pairwise(cuts) if p.text[a:b].strip()]


def _sentence(
    out: Reports, found: dict[Recurrence, DraftSeries], sentence: str, start: int, ctx: _Context, names: Names
) -> None:
    owed: list[str] | None = None
    receiver: tuple[str, str, str] | None = None
    pending: Recurrence | None = None  # "báo cáo quý (trước ngày …)": the regime, its deadline in the next clause
    for written, (clause, half) in ((c, x) for c in CLAUSE.split(sentence) if c.strip() for x in _two_days(c)):
        folded = fold(clause)
        if not MARKER.search(folded):
            pending = _kind(folded) or pending
            continue
        kind, wording = _kind_and_wording(clause)
        kind = half or kind
        if (kind or pending) is Recurrence.DAILY and not re.search(r"\bngày\b", wording):
            wording = f"{wording} hằng ngày"  # "báo cáo 2 lần mỗi ngày (trước 8h00 và 17h00)": each day, said before
        try:
            rule = parse_deadline(wording)
        except DeadlineWordingError:
            continue
        guessed = kind is None and pending is None and rule.yearly
        kind = kind or pending or _regime_of(rule)
        pending = None
        if guessed:
            out.problems.append(
                f"Mục {ctx.ref}: “{wording}” không nêu kỳ báo cáo; đọc là báo cáo năm, hãy kiểm tra "
                "(no regime named: read as the annual report)"
            )
        if kind is None:
            out.problems.append(
                f"Mục {ctx.ref}: không rõ thời hạn “{wording}” là của báo cáo nào (which report this deadline is for)"
            )
            continue
        try:
            regimes.check(kind, rule)
        except regimes.RegimeError:
            out.problems.append(
                f"Mục {ctx.ref}: thời hạn “{wording}” không hợp với {CODES[kind][1].lower()} "
                "(the deadline does not suit the regime)"
            )
            continue
        first = found.get(kind)
        same_sentence = first is not None and first.quote.start <= start + len(sentence) and start <= first.quote.end
        if first is not None and (parse_deadline(first.wording) == rule or (same_sentence and not rule.daily)):
            continue  # the same report said again (twice a day, "trước 8h00 và 17h00", is two)
        if owed is None:
            owed = _owed(out, sentence, ctx, names)
            receiver = _receiver(out, sentence, ctx, names)
        code, name = CODES[kind]
        s = DraftSeries(code, name, kind.value, wording, owed, quote=_quote(sentence, start, written))
        if receiver:
            s.receiver, s.via, s.receiver_wording = receiver
        if first is None:
            found[kind] = s
            continue
        # Another report of the same regime by another day: its own series ("các sở … trước ngày 10/11 hằng năm";
        # "Sở Nội vụ tổng hợp, báo cáo … trước ngày 25/11 hằng năm")
        s.code = f"{code}-{2 + sum(1 for x in out.more if x.recurrence == kind.value)}"
        s.name = f"{name} ({wording})"
        if rule.daily and rule.at is not None:  # a report twice a day: "Báo cáo 16h00 ngày 22/11/2025"
            s.label = f"Báo cáo {rule.at.hour}h{rule.at.minute:02d} ngày {{day}}/{{month}}/{{year}}"
        out.more.append(s)


def _quote(sentence: str, start: int, clause: str) -> Quote:
    """The sentence, or of a long one the part between semicolons that holds the deadline."""
    if len(sentence) <= QUOTE:
        return Quote(sentence, start, start + len(sentence))
    at = max(sentence.find(clause.strip()), 0)
    a = sentence.rfind(";", 0, at) + 1
    b = sentence.find(";", at)
    b = len(sentence) if b < 0 else b
    part = sentence[a:b].strip()[:QUOTE]
    first = start + sentence.find(part)
    return Quote(part, first, first + len(part))


QUOTE = 400

# "trước ngày 01/6 và 15/11 hằng năm": two yearly reports in one clause, the 6-month one and the annual one
TWO_DAYS = re.compile(
    r"^(?P<lead>.*?\bngày\s+)(?P<a>\d{1,2})/(?P<am>\d{1,2})\s+và\s+(?:ngày\s+)?(?P<b>\d{1,2}/\d{1,2})"
    r"(?P<tail>\s+h[ằà]ng\s+năm\b.*)$",
    re.IGNORECASE,
)


# "trước 8h00 và 17h00 hằng ngày": a report twice a day, as two daily reports
TWO_HOURS = re.compile(
    r"^(?P<lead>.*?)(?P<a>\d{1,2}\s?(?:h|giờ)\s?\d{0,2}['’]?)\s+và\s+(?P<b>\d{1,2}\s?(?:h|giờ)\s?\d{0,2}['’]?)"
    r"(?P<tail>(?:\s+(?:h[ằà]ng|mỗi)\s+ngày\b.*)?)$",
    re.IGNORECASE,
)


def _two_days(clause: str) -> list[tuple[str, Recurrence | None]]:
    """A clause giving two days of the year for one yearly regime, as two clauses: the day in the first half of the
    year is the 6-month report's, the other the annual report's; two hours of each day, as two daily clauses; any
    other clause as it is."""
    if h := TWO_HOURS.match(clause.strip()):
        daily = Recurrence.DAILY
        return [(f"{h['lead']}{h['a']}{h['tail']}", daily), (f"{h['lead']}{h['b']}{h['tail']}", daily)]
    m = TWO_DAYS.match(clause.strip())
    if m is None:
        return [(clause, None)]
    first = f"{m['lead']}{m['a']}/{m['am']}{m['tail']}"
    second = f"{m['lead']}{m['b']}{m['tail']}"
    if int(m["am"]) > 6:
        return [(first, None), (second, None)]
    return [(first, Recurrence.SEMI_ANNUAL), (second, Recurrence.ANNUAL)]


def _kind_and_wording(clause: str) -> tuple[Recurrence | None, str]:
    """The regime a deadline clause is for, and the deadline's words: "X đối với báo cáo tháng" (plan 46), or
    "báo cáo quý gửi trước …" (the regime first: the words from the regime on are the wording)."""
    parts = re.split(r"\s+đối với\s+", clause.strip(), maxsplit=1)
    if len(parts) == 2:
        return _kind(fold(parts[1])), _tidy(parts[0])
    text = clause.strip()
    folded = fold(text)
    marker = MARKER.search(folded)
    for pattern, kind in KINDS:
        m = pattern.search(folded)
        if m:
            if marker and marker.end() <= m.start():  # the day first, the regime after it: "trước ngày 15 hằng
                return kind, _tidy(text[marker.start() : m.end()])  # tháng", "trước ngày 30/11 hằng năm"
            if marker and len(folded[m.end() : marker.start()].split()) > FAR:  # "gửi báo cáo năm … (many words)
                return kind, _tidy(text[marker.start() :])  # … trước ngày 16 tháng 12 năm 2025": the deadline's own
            at = m.start()
            before = folded[:at].rstrip()
            if before.endswith(("bao cao", "bao cao dinh ky")):
                at = before.rfind("bao cao")
            return kind, _tidy(text[at:])
    return None, _tidy(text[marker.start() :] if marker else text)  # no regime named: the deadline's own words


def _regime_of(rule: DeadlineRule) -> Recurrence | None:
    """The regime a deadline can only be of, when the clause names none."""
    if rule.daily:
        return Recurrence.DAILY
    if rule.weekly:
        return Recurrence.WEEKLY
    return Recurrence.MONTHLY if rule.monthly else Recurrence.ANNUAL if rule.yearly else None


def _kind(folded: str) -> Recurrence | None:
    for pattern, kind in KINDS:
        if pattern.search(folded):
            return kind
    return None


def _tidy(words: str) -> str:
    return re.sub(r"^(?:và|hoặc|gửi|nộp)\s+", "", re.sub(r"\s+", " ", words).strip(" .:")).strip()


def _owed(out: Reports, sentence: str, ctx: _Context, names: Names) -> list[str]:
    """Who owes the reports: the sentence's own subject ("Các sở, ban, ngành báo cáo …"), else the item's."""
    found, rest = names.leading(sentence)
    # "Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành … báo cáo": the issuer asks; those it asks owe the reports
    if found and (asks := ASKS.match(sentence, rest)):
        found, _ = names.leading(sentence, asks.end())
    known = [m for m in found if m.known]
    if known:
        return _codes(known)
    described = m.group(1) if (m := DESCRIBED_OWNER.match(sentence)) else ctx.described
    if m and STANDING.match(described):  # "Cơ quan thường trực Ban Chỉ đạo …": one body, named by its role
        said = described.strip()
        at = sentence.find(said)
        body = Mention((), at, at + len(said), said)
        out.unknown.append((body, ctx.ref))
        return [_code(body)]
    if described:  # a role, not a name: the officer names the agencies
        out.problems.append(
            f"Mục {ctx.ref}: cơ quan phải báo cáo được nêu bằng mô tả “{described}”, chưa phải tên cơ quan: điền mã "
            "vào owed_by (who owes the report is described, not named)"
        )
        return []
    owner = _codes(ctx.owner.carry_out + ctx.owner.lead)
    if owner:
        return owner
    out.problems.append(
        f"Mục {ctx.ref}: không rõ cơ quan nào phải báo cáo; tạm ghi mọi cơ quan (@all) "
        "(who owes the report is not said; all agencies assumed)"
    )
    return [ALL]


def _receiver(out: Reports, sentence: str, ctx: _Context, names: Names) -> tuple[str, str, str] | None:
    """(receiver, via, the plan's words when the registry does not know them): "về Ủy ban nhân dân tỉnh (qua Sở Nội
    vụ tổng hợp)" gives the province's People's Committee and Sở Nội vụ."""
    addressed: list[tuple[Mention, int]] = []  # every agency a report is sent to, in the sentence's order
    for m in TO.finditer(sentence):
        found, end = names.leading(sentence, m.end())
        if found:
            addressed.append((found[0], end))
    receiver = addressed[0][0] if addressed else None
    via: Mention | None = None
    for m in VIA.finditer(sentence):
        found, _ = names.leading(sentence, m.end())
        if found:
            via = found[0]
            break
    # "gửi Sở X để tổng hợp, báo cáo Ủy ban nhân dân tỉnh": the first compiles, the issuer receives; what goes on
    # from there ("tham mưu UBND tỉnh báo cáo Bộ …") is the province's own report, not the one owed under the plan
    if via is None and len(addressed) > 1 and COMPILES.match(sentence[addressed[0][1] :]):
        upward = [m for m, _ in addressed[1:] if names.issuer and names.issuer in m.targets]
        if upward:
            via, receiver = addressed[0][0], upward[0]
    elif receiver is None and via is None and (described := DESCRIBED.search(sentence)):
        return "", "", described.group(1)  # "cho cơ quan chủ quản": a role, not a name; the officer decides
    for named in (receiver, via):
        if named is not None and not named.known:
            out.unknown.append((named, ctx.ref))
    if receiver is None and via is None:
        return None
    if receiver is None:
        receiver, via = via, None
    assert receiver is not None
    # Receiver and via, not the sentence: every reminder composes "về … (qua … tổng hợp)" from them (issue 29).
    # The plan's words are kept only for a receiver the registry does not know, for the officer to see.
    words = "" if receiver.known and (via is None or via.known) else receiver.said
    return _code(receiver), _code(via) if via else "", words


def _code(m: Mention) -> str:
    return m.targets[0] if m.targets else f"?{m.said}"


def _codes(ms: Sequence[Mention]) -> list[str]:
    return list(dict.fromkeys(t for m in ms for t in m.targets))


def _cutoff(outline: Outline) -> str:
    """The data cut-off the plan sets for its reports: Nghị định 09/2019's ("nd09") when it names it, else its
    own words; "" when it says none."""
    for p, _ in _paragraphs(outline, {}):
        for sentence, _start in _sentences(p):
            if "chot so lieu" in fold(sentence):
                if "09/2019" in sentence:
                    return regimes.ND09
                m = re.search(r"[^,;.]*chốt số liệu[^;.]*", sentence)
                return m.group(0).strip() if m else ""
    return ""


def _first_period(s: DraftSeries, issued_on: date | None, years: tuple[int, int] | None, work: WorkCalendar) -> None:
    """A monthly series whose first deadline falls within ``SOON`` days of signing starts the month after: plan 46,
    signed 14/3/2023, cannot mean the March report due 15/3."""
    if issued_on is None or years is None or s.recurrence != Recurrence.MONTHLY.value:
        return
    rule: DeadlineRule = parse_deadline(s.wording)
    found = regimes.periods(Recurrence.MONTHLY, rule, s.name, issued_on, years, work)
    if found and (found[0].last_day - issued_on).days < SOON:
        month = found[0].key.split("-")[1]
        s.first_month = int(month) % 12 + 1 if int(month) < 12 else None
        s.note = (
            f"Kỳ đầu tiên là tháng {s.first_month}: hạn chót của {found[0].label.lower()} "
            f"({format_day(found[0].last_day)}) chỉ {(found[0].last_day - issued_on).days} ngày sau ngày ký "
            f"({format_day(issued_on)})"
        )
