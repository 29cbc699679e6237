"""The parts of an administrative document that Nghị định 30/2020/NĐ-CP places (Điều 8, Phụ lục I): the issuer
and its parent body, "Số: 46/KH-UBND", the place and date, the type and title (the header); the signer's capacity,
title and name, and "Nơi nhận" (the closing).

The header is read from its words, not its layout: cells one per line, between "|" lines, or run together in one
line all read the same. Site menus before the document are skipped: the document starts at the issuer that
precedes the national motto.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from core.reading.layout import RULE, Para
from core.reading.text import body_name, capitalise, case_like, fold, is_upper, squeeze

MOTTO = re.compile(r"C[ỘO]NG\s+H[ÒO]A\s+X[ÃA]\s+H[ỘO]I\s+CH[ỦU]\s+NGH[ĨI]A\s+VI[ỆE]T\s+NAM", re.IGNORECASE)
MOTTO_2 = re.compile(r"Độc\s+lập\s*[-–—]\s*Tự\s+do\s*[-–—]\s*Hạnh\s+phúc", re.IGNORECASE)
NUMBER = re.compile(
    r"Số\s*:\s*(\d{1,5}[a-z]?)\s*/\s*((?:\d{4}\s*/\s*)?[A-ZĐ][\wĐđ]*(?:\s*[-–]\s*[\wĐđ]+)*(?:\s*/\s*[A-ZĐ][\wĐđ]*"
    r"(?:\s*[-–]\s*[\wĐđ]+)*)*)"
)
DATE = re.compile(
    r"((?:[A-ZĐÀ-Ỹ][^\W\d_]*\s+){0,3}[A-ZĐÀ-Ỹ][^\W\d_]*)\s*,\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
)
TYPES = (
    "KẾ HOẠCH",
    "QUYẾT ĐỊNH",
    "CHỈ THỊ",
    "CHƯƠNG TRÌNH",
    "THÔNG BÁO",
    "HƯỚNG DẪN",
    "BÁO CÁO",
    "ĐỀ ÁN",
    "TỜ TRÌNH",
    "NGHỊ QUYẾT",
    "CÔNG ĐIỆN",
    "PHƯƠNG ÁN",
    "QUY CHẾ",
)
TYPE_OF_SYMBOL = {"KH": "KẾ HOẠCH", "QĐ": "QUYẾT ĐỊNH", "CT": "CHỈ THỊ", "CTr": "CHƯƠNG TRÌNH", "TB": "THÔNG BÁO"}
BODY_START = re.compile(r"^(?:Căn cứ|[IVX]+\.\s|PHẦN|Phần thứ|\d{1,2}\.\s)")
CAPACITY = re.compile(r"\b(TM|KT|TL|TUQ|Q)\.\s*")
NAME = re.compile(r"^(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]*\s+){1,5}[A-ZĐÀ-Ỹ][a-zđà-ỹ]*$")
ISSUER_WORDS = re.compile(r"^(SỞ|BAN|VĂN PHÒNG|THANH TRA|CỤC|CHI CỤC|TRUNG TÂM|ỦY BAN|UBND|HỘI ĐỒNG)\b")
PARENT_AND_OWN = re.compile(
    r"^(ỦY BAN NHÂN DÂN\s+(?:TỈNH|THÀNH PHỐ|HUYỆN|XÃ|PHƯỜNG)\s+.+?)\s+"
    r"((?:SỞ|BAN|VĂN PHÒNG|THANH TRA|CỤC|CHI CỤC|TRUNG TÂM|HỘI ĐỒNG)\s.*)$"
)
LEVEL_WORDS = re.compile(r"\b(TỈNH|HUYỆN|THÀNH PHỐ|THỊ XÃ|QUẬN|XÃ|PHƯỜNG|THỊ TRẤN)\b")
YEARS = re.compile(r"(?:giai đoạn|từ năm)?\s*(20\d\d)\s*(?:[-–—]|đến(?: năm)?)\s*(20\d\d)")
YEAR = re.compile(r"\bnăm\s+(20\d\d)\b")


@dataclass
class Found:
    """A value read from the document, with the words it came from and where they are (offsets in its text)."""

    value: str
    quote: str
    start: int = -1
    end: int = -1


@dataclass
class Header:
    number: Found | None = None
    issued_on: date | None = None
    date_found: Found | None = None
    place: str = ""
    issuer: Found | None = None
    parent: str = ""
    doc_type: str = ""
    title: Found | None = None
    years: tuple[int, int] | None = None
    body_from: int = 0  # index of the first paragraph after the title
    signed_within: tuple[int, int] | None = None  # a Quyết định issuing a plan: where its own signature block is
    starts_at: int = 0  # index of the first paragraph of the document (after a site's menu)


@dataclass
class Closing:
    signer: Found | None = None
    signer_title: str = ""
    capacity: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    ends_at: int = 0  # index of the first paragraph after the body


def read_header(paras: Sequence[Para], text: str) -> Header:
    """The header, from the paragraphs of the document (``text`` is their text, for the title's case)."""
    h = Header()
    h.starts_at = _start(paras)
    head: list[Para] = []
    i = h.starts_at
    while i < len(paras) and len(head) < 30:
        p = paras[i]
        if head and BODY_START.match(p.text) and not NUMBER.search(p.text):
            break
        head.append(p)
        if _type_at(p.text) is not None:
            break
        i += 1
    h.body_from = i + 1 if i < len(paras) and head and _type_at(head[-1].text) is not None else i
    for p in head:
        _number(h, p)
        _date(h, p)
    # A narrow header cell wraps its lines: "Số:" / "46/KH-UBND", "Tuyên Quang, ngày 14 tháng 3" / "năm 2023". Two
    # lines read as one (joined by a space where the text has a line break, so that positions stay the document's).
    for a, b in itertools.pairwise(head):
        joined = Para(f"{a.text} {b.text}", a.start)
        if h.number is None:
            _number(h, joined)
        if h.date_found is None:
            _date(h, joined)
    _issuer(h, head)
    if head and _type_at(head[-1].text) is not None:
        _title(h, paras, h.body_from - 1, text)
    elif h.number:
        symbol = h.number.value.split("/")[-1].split("-")[0]
        h.doc_type = TYPE_OF_SYMBOL.get(symbol, "")
    if h.doc_type == "QUYẾT ĐỊNH":
        _attached_plan(h, paras, text)
    if h.title:
        m = YEARS.search(h.title.value)
        ys = YEAR.findall(h.title.value)
        until = UNTIL.search(h.title.value)
        if m and int(m.group(1)) <= int(m.group(2)):
            h.years = (int(m.group(1)), int(m.group(2)))
        elif until and h.issued_on and h.issued_on.year <= int(until.group(1)):
            # "… đến năm 2030": from the year the plan is issued to that year (never 2030 alone)
            h.years = (h.issued_on.year, int(until.group(1)))
        elif ys:
            h.years = (int(ys[-1]), int(ys[-1]))
    if h.years is None and h.issued_on:
        h.years = (h.issued_on.year, _horizon(paras[h.body_from :], h.issued_on.year))
    return h


# A target the plan sets itself, opening its paragraph: "Đến năm 2030, …", "b) Đến hết năm 2028: …"
TARGET = re.compile(r"^\W*(?:[a-zđ]\)\s*|[-–+•]\s*)?(?:Đến|Tới)\s+(?:hết\s+)?năm\s+((?:19|20)\d\d)\b")
# Years: plans follow the five-year socio-economic periods ("giai đoạn 2026–2030"); a target further off than the
# next five years is an orientation or a vision ("định hướng", "tầm nhìn đến năm 2045"), not the plan's own period.
HORIZON = 5


def _horizon(body: Sequence[Para], issued: int) -> int:
    """The last year a plan whose title names none runs to: its furthest own target ("Đến năm 2030, …"), else the
    year it is issued."""
    years = [int(m.group(1)) for p in body if (m := TARGET.match(p.text))]
    return max([y for y in years if issued <= y <= issued + HORIZON], default=issued)


ISSUES_PLAN = re.compile(r"\bban\s+hành\s+(?:kèm\s+theo\s+Quyết\s+định\s+này\s+)?Kế\s+hoạch\b", re.IGNORECASE)
ATTACHED = re.compile(r"^\(?\s*(?:Kèm|Ban hành kèm)\s+theo\s+Quyết\s+định", re.IGNORECASE)


def _attached_plan(h: Header, paras: Sequence[Para], text: str) -> None:
    """A Quyết định that issues a plan ("Điều 1. Ban hành kèm theo Quyết định này Kế hoạch …"), the plan attached
    after its signature: the number and date stay the Quyết định's, the title and the body are the plan's."""
    if not any(ISSUES_PLAN.search(p.text) for p in paras[h.body_from : h.body_from + 40]):
        return
    at = next((i for i in range(h.body_from, len(paras)) if paras[i].text == "KẾ HOẠCH"), None)
    if at is None:
        return
    plan = Header()
    _title(plan, paras, at, text)
    body = plan.body_from
    while body < len(paras) and ATTACHED.match(paras[body].text):  # "(Kèm theo Quyết định số … ngày …)"
        body += 1
    if plan.title is None:
        return
    h.signed_within = (h.body_from, at)
    h.title, h.doc_type, h.body_from = plan.title, "KẾ HOẠCH", body


def _start(paras: Sequence[Para]) -> int:
    """Where the document starts: the issuer's lines before the motto (a site's menu before them is not the
    document's)."""
    motto = next((i for i, p in enumerate(paras[:80]) if MOTTO.search(p.text)), None)
    if motto is None:
        numbered = next((i for i, p in enumerate(paras[:80]) if NUMBER.search(p.text)), None)
        return 0 if numbered is None else max(0, numbered - 2)
    if not is_upper(paras[motto].text[: MOTTO.search(paras[motto].text).start()] or "x"):  # type: ignore[union-attr]
        start = motto
        while start > 0 and motto - start < 6 and _header_line(paras[start - 1].text):
            start -= 1
        return start
    return motto  # the issuer runs together with the motto in one line


def _header_line(text: str) -> bool:
    """A line of the header's left cell: the issuer's capitals, the rule under them, the number, the date."""
    return is_upper(text) or bool(RULE.match(text) or NUMBER.search(text) or DATE.search(text))


def _type_at(text: str) -> str | None:
    for t in TYPES:
        if text == t or text.startswith(t + " "):
            return t
    return None


def _number(h: Header, p: Para) -> None:
    if h.number:
        return
    m = NUMBER.search(p.text)
    if m:
        value = re.sub(r"\s+", "", f"{m.group(1)}/{m.group(2)}").replace("–", "-")
        h.number = Found(value, squeeze(m.group(0)), p.start + m.start(), p.start + m.end())


def _date(h: Header, p: Para) -> None:
    if h.issued_on:
        return
    m = DATE.search(p.text)
    if not m:
        return
    try:
        h.issued_on = date(int(m.group(4)), int(m.group(3)), int(m.group(2)))
    except ValueError:
        return
    h.place = m.group(1).strip()
    h.date_found = Found(h.issued_on.isoformat(), squeeze(m.group(0)), p.start + m.start(), p.start + m.end())


def _issuer(h: Header, head: Sequence[Para]) -> None:
    """The issuer: the capitals before the motto, the number or the rule under them."""
    lines: list[Para] = []
    for p in head:
        text = p.text
        cut = min([m.start() for m in (MOTTO.search(text), NUMBER.search(text)) if m] + [len(text)])
        part = text[:cut].strip()
        if part and is_upper(part) and not RULE.match(part) and _type_at(part) is None:
            lines.append(Para(part, p.start))
        if cut < len(text) or RULE.match(text) or (lines and not is_upper(text)):
            break
    if not lines:
        return
    joined = (
        squeeze(" ".join(x.text for x in lines)).replace("UBND", "ỦY BAN NHÂN DÂN").replace("HĐND", "HỘI ĐỒNG NHÂN DÂN")
    )
    parent, own = "", joined
    m = PARENT_AND_OWN.match(joined)
    if m:  # "UBND TỈNH TUYÊN QUANG THANH TRA TỈNH" (a site ran the two lines together)
        parent, own = m.group(1), m.group(2)
    elif (
        len(lines) > 1
        and ISSUER_WORDS.match(lines[-1].text)
        and LEVEL_WORDS.search(" ".join(x.text for x in lines[:-1]))
    ):
        parent = squeeze(" ".join(x.text for x in lines[:-1])).replace("UBND", "ỦY BAN NHÂN DÂN")
        own = lines[-1].text
    name = body_name(own)
    place = re.search(r"\b(tỉnh|thành phố|huyện|xã|phường)\s+(.+)$", body_name(parent)) if parent else None
    if place and not LEVEL_WORDS.search(own):  # "SỞ NỘI VỤ" under "UBND TỈNH TUYÊN QUANG"
        name = f"{name} {place.group(1)} {place.group(2)}"
    elif place and re.search(rf"\s{place.group(1)}$", name):  # "THANH TRA TỈNH": the place is the parent's
        name = f"{name} {place.group(2)}"
    h.parent = body_name(parent) if parent else ""
    h.issuer = Found(name, squeeze(" ".join(x.text for x in lines)), lines[0].start, lines[-1].end)


def _title(h: Header, paras: Sequence[Para], at: int, text: str) -> None:
    """The type, and the title after it: capitals, or short lines that do not end a sentence, up to the body."""
    first = paras[at]
    kind = _type_at(first.text) or ""
    h.doc_type = kind
    parts: list[str] = []
    rest = first.text[len(kind) :].strip()
    if rest:
        parts.append(rest)
    i = at + 1
    upper = is_upper(rest) if rest else None
    while i < len(paras) and len(parts) < 6:
        t = paras[i].text
        if BODY_START.match(t) or RULE.match(t) or t.endswith((";", ":", ",")) or ATTACHED.match(t):
            break
        if upper is None:
            upper = is_upper(t)
        elif is_upper(t) != upper:
            break
        if not upper and len(t) > 200:
            break
        parts.append(t)
        i += 1
    h.body_from = i
    if not parts:
        return
    joined = squeeze(" ".join(parts))
    value = case_like(joined, text) if is_upper(joined) else capitalise(joined)
    end = paras[i - 1].end if i - 1 > at else first.end
    h.title = Found(value.rstrip("."), joined, first.start + len(kind) if rest else paras[at + 1].start, end)


# "đến năm 2030", "tới năm 2035": a plan that runs until a year (its first year is the year it is issued)
UNTIL = re.compile(r"\b(?:đến|tới)\s+năm\s+((?:19|20)\d\d)\b", re.I)
# An appendix after the signature ("PHỤ LỤC", "Phụ lục I"): its tables are not the signature block
APPENDIX = re.compile(r"^\s*PH[ỤU]\s+L[ỤU]C\b", re.I)
PLACE_AT_END = re.compile(r"(\s+[A-ZĐÀ-Ỹ][^\W\d_]*)+$")
TITLES = {"văn phòng": "Văn phòng", "thanh tra": "Thanh tra"}
TITLE = re.compile(
    r"(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|GIÁM\s+ĐỐC|CHÁNH\s+VĂN\s+PHÒNG|CHÁNH\s+THANH\s+TRA|TRƯỞNG\s+BAN|TRƯỞNG\s+PHÒNG|"
    r"BỘ\s+TRƯỞNG|CỤC\s+TRƯỞNG|CHI\s+CỤC\s+TRƯỞNG|VIỆN\s+TRƯỞNG|BÍ\s+THƯ|THỦ\s+TRƯỞNG)"
)


def read_closing(paras: Sequence[Para], body_end: int, issuer: str) -> Closing:
    """The signature block and "Nơi nhận", from paragraph ``body_end`` on."""
    c = Closing(ends_at=body_end)
    tail = list(paras[body_end:])
    in_recipients = False
    names: list[tuple[str, Para]] = []
    signed: tuple[str, Para] | None = None  # the first name after the signer's title: the signature block's
    titled = False
    for p in tail:
        t = p.text
        if APPENDIX.match(t) and (names or c.capacity):  # the appendices after the signature hold no signer
            break
        if t.startswith("Nơi nhận"):
            in_recipients = True
            inline = t.split(":", 1)[1] if ":" in t else ""
            c.recipients += [_recipient(x) for x in re.split(r"(?:^|\s)[-–]\s+", inline) if x.strip()]
            continue
        if in_recipients and re.match(r"^[-–+•]\s*", t):
            c.recipients.append(_recipient(t))
            continue
        in_recipients = False
        upper_part, name_part = _split_name(t)
        if upper_part and (CAPACITY.search(upper_part) or is_upper(upper_part)):
            c.capacity.append(upper_part)
            titled = titled or bool(TITLE.search(upper_part))
        if name_part:
            names.append((name_part, p))
            if titled and signed is None:
                signed = (name_part, p)
    if signed or names:
        name, p = signed or names[-1]
        at = p.text.rfind(name)
        c.signer = Found(name, name, p.start + at, p.start + at + len(name))
    c.signer_title = _signer_title(c.capacity, issuer)
    return c


def _recipient(text: str) -> str:
    return re.sub(r"^[-–+•]\s*", "", text).strip().rstrip(";.,").strip()


def _split_name(text: str) -> tuple[str, str]:
    """A closing line's capitals and the signer's name after them ("PHÓ CHỦ TỊCH Hoàng Việt Phương")."""
    words = text.split()
    k = len(words)
    while k > 0 and re.match(r"^[A-ZĐÀ-Ỹ][a-zđà-ỹ]+$", words[k - 1]):
        k -= 1
    name = " ".join(words[k:])
    if NAME.match(name) and len(words) - k >= 2:
        return " ".join(words[:k]), name
    return text, ""


def _signer_title(capacity: list[str], issuer: str) -> str:
    """ "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" → "Phó Chủ tịch Ủy ban nhân dân tỉnh": the last title
    in the signature block is the signer's own."""
    found = list(TITLE.finditer(" ".join(capacity)))
    if not found:
        return ""
    words = squeeze(found[-1].group(0)).lower().split()
    title = "Phó " + capitalise(" ".join(words[1:])) if words[0] == "phó" else capitalise(" ".join(words))
    for low, cased in TITLES.items():
        title = title.replace(low, cased)
    if not issuer:
        return title
    body = PLACE_AT_END.sub("", issuer)  # "Ủy ban nhân dân tỉnh", without its place
    last_two = " ".join(title.split()[-2:])
    if fold(body).startswith(fold(last_two)):  # "Chánh Thanh tra" of "Thanh tra tỉnh": "Chánh Thanh tra tỉnh"
        return f"{title}{body[len(last_two) :]}"
    return f"{title} {body if fold(issuer).startswith(('uy ban nhan dan', 'hoi dong nhan dan')) else issuer}"
