"""The agencies a plan's words name, matched to the registry: without regard to diacritics, case or punctuation,
with the abbreviations provincial documents use ("UBND", "Sở TT&TT", "VP UBND tỉnh"), the groups they assign
work to ("Các sở, ban, ngành", "UBND huyện, thành phố", "UBND các xã, phường"), and the short names a plan
defines ("(sau đây gọi tắt là cấp sở)").

Matching works on words: each word of the text and of every name is folded (``text.fold``), abbreviations are
spelled out, "và" and "các" are dropped (so "Sở Giáo dục - Đào tạo" is "Sở Giáo dục và Đào tạo", "UBND các huyện"
is "UBND huyện"), and the longest name that fits wins ("Ủy ban nhân dân huyện Lâm Bình" over "Ủy ban nhân dân").
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from core.reading.text import fold
from core.types import AgencyKind

DEPARTMENTS, DISTRICTS, COMMUNES, ALL = "@departments", "@districts", "@communes", "@all"
GROUP_KINDS: dict[str, tuple[AgencyKind, ...]] = {
    DEPARTMENTS: (AgencyKind.DEPARTMENT,),
    DISTRICTS: (AgencyKind.DISTRICT,),
    COMMUNES: (AgencyKind.COMMUNE,),
    ALL: (AgencyKind.DEPARTMENT, AgencyKind.DISTRICT, AgencyKind.COMMUNE),
}

# Abbreviations as provincial documents write them (plan 46's "Nơi nhận": "UBND huyện, thành phố", "UBMTTQVN và
# các tổ chức CT-XH", "Cổng TTĐT tỉnh"; the usual short names of departments: "Sở TT&TT", "Sở LĐ-TB&XH").
ABBREVIATIONS: dict[tuple[str, ...], str] = {
    ("ubnd",): "uy ban nhan dan",
    ("hdnd",): "hoi dong nhan dan",
    ("ubmttq",): "uy ban mat tran to quoc",
    ("ubmttqvn",): "uy ban mat tran to quoc viet nam",
    ("mttq",): "mat tran to quoc",
    ("vp",): "van phong",
    ("bchqs",): "bo chi huy quan su",
    ("ttdt",): "thong tin dien tu",
    ("ct", "xh"): "chinh tri xa hoi",
    ("tt", "&", "tt"): "thong tin va truyen thong",
    ("tttt",): "thong tin va truyen thong",
    ("ld", "tb", "&", "xh"): "lao dong thuong binh va xa hoi",
    ("ldtb", "&", "xh"): "lao dong thuong binh va xa hoi",
    ("ldtbxh",): "lao dong thuong binh va xa hoi",
    ("kh", "&", "dt"): "ke hoach va dau tu",
    ("khdt",): "ke hoach va dau tu",
    ("tn", "&", "mt"): "tai nguyen va moi truong",
    ("tnmt",): "tai nguyen va moi truong",
    ("nn", "&", "ptnt"): "nong nghiep va phat trien nong thon",
    ("nnptnt",): "nong nghiep va phat trien nong thon",
    ("nn", "&", "mt"): "nong nghiep va moi truong",
    ("gd", "&", "dt"): "giao duc va dao tao",
    ("gddt",): "giao duc va dao tao",
    ("vh", "tt", "&", "dl"): "van hoa the thao va du lich",
    ("vhtt", "&", "dl"): "van hoa the thao va du lich",
    ("vhttdl",): "van hoa the thao va du lich",
    ("kh", "&", "cn"): "khoa hoc va cong nghe",
    ("khcn",): "khoa hoc va cong nghe",
    ("dt", "&", "tg"): "dan toc va ton giao",
    ("gtvt",): "giao thong van tai",
    ("pt", "&", "th"): "phat thanh va truyen hinh",
    ("ptth",): "phat thanh va truyen hinh",
}
DROPPED = frozenset({"va", "cac", "&", "tat", "ca"})  # "và", "các", "tất cả": they join names, never tell them apart

# The groups plans give work to, as they word them (plan 46: "Thủ trưởng các Sở, ban, ngành, Chủ tịch Ủy ban nhân
# dân huyện, thành phố", "các cơ quan, đơn vị, địa phương"; 2025 plans: "Ủy ban nhân dân các xã, phường").
GROUPS: dict[str, tuple[str, ...]] = {
    "so ban nganh": (DEPARTMENTS,),
    "so ban nganh tinh": (DEPARTMENTS,),
    "so ban nganh thuoc tinh": (DEPARTMENTS,),
    "so ban nganh thanh pho": (DEPARTMENTS,),  # a city under the central government: "các sở, ban, ngành thành phố"
    "so ban nganh thuoc uy ban nhan dan tinh": (DEPARTMENTS,),
    "so nganh": (DEPARTMENTS,),
    "so ban nganh doan the tinh": (DEPARTMENTS,),
    "co quan chuyen mon thuoc uy ban nhan dan tinh": (DEPARTMENTS,),
    "co quan chuyen mon uy ban nhan dan tinh": (DEPARTMENTS,),
    "uy ban nhan dan huyen thanh pho": (DISTRICTS,),
    "uy ban nhan dan huyen thi xa thanh pho": (DISTRICTS,),
    "uy ban nhan dan cap huyen": (DISTRICTS,),
    "huyen thanh pho": (DISTRICTS,),
    "huyen thi xa thanh pho": (DISTRICTS,),
    # "UBND các xã, phường", "UBND phường, xã", "các xã, phường, đặc khu", "xã, phường, thị trấn": either order
    **{
        f"{ubnd}{a} {b}{more}".strip(): (COMMUNES,)
        for ubnd in ("uy ban nhan dan ", "")
        for a, b in (("xa", "phuong"), ("phuong", "xa"))
        for more in ("", " thi tran", " dac khu")
    },
    "uy ban nhan dan cap xa": (COMMUNES,),
    "co quan don vi dia phuong": (ALL,),
    "so ban nganh dia phuong": (ALL,),
}
# Words before a name that say who in the agency ("Thủ trưởng các sở", "Chủ tịch UBND huyện"): read past them.
PEOPLE = (
    "thu truong",
    "giam doc",
    "chu tich",
    "nguoi dung dau",
    "lanh dao",
    "chanh van phong",
    "chanh thanh tra",
    "truong ban",
    "tong bien tap",
    "chi huy truong",
    "giam doc cong an",
)
# Words in a list of agencies that name none of them ("Các sở, ngành, đơn vị, UBND cấp xã"; "Sở Y tế, đoàn thể và các
# cơ quan liên quan"): read past them, after a name, to the names that follow.
FILLERS = (
    "don vi",
    "co quan",
    "dia phuong",
    "doan the",
    "to chuc",
    "co quan don vi",
    "don vi lien quan",
    "co quan lien quan",
    "don vi co lien quan",
    "co quan co lien quan",
    "lien quan",
    "co lien quan",
    "tinh",  # "các sở, ban, ngành, đoàn thể tỉnh": the level after a group
    "thanh pho",
)
# The first words of an agency's name: a capitalised run starting so that the registry does not know is an agency
# it should (an unknown name), not a common noun.
INSTITUTIONS = (
    "so",
    "ban",
    "uy ban",
    "van phong",
    "thanh tra",
    "cong an",
    "bo chi huy",
    "bao",
    "dai",
    "trung tam",
    "kho bac",
    "cuc",
    "chi cuc",
    "bao hiem",
    "ngan hang",
    "hoi",
    "benh vien",
    "lien doan",
    "lien hiep",
    "hiep hoi",
    "tinh doan",
    "mat tran",
    "vien",
    "hoc vien",
    "cong ty",
    "quy",
    "thuong truc",
    "bo",
)
VERBS = (
    "chu tri",
    "phoi hop",
    "thuc hien",
    "co trach nhiem",
    "chiu trach nhiem",
    "can cu",
    "tham muu",
    "huong dan",
    "to chuc",
    "theo doi",
    "trien khai",
    "xay dung",
    "bao cao",
    "giup",
    "quan triet",
    "day manh",
    "tiep tuc",
    "kiem tra",
    "dam bao",
    "tap trung",
    "tuyen truyen",
    "ra soat",
    "phan cong",
    "dinh ky",
    "tong hop",
)
TOKEN = re.compile(r"[^\W_]+|&")
LEVELS = frozenset({"tinh", "thanh", "huyen", "xa", "phuong"})  # "Công an tỉnh", "Công an thành phố"


@dataclass(frozen=True, slots=True)
class Known:
    """An agency the registry holds: its code, its name and kind, and the names it had before."""

    code: str
    name: str
    kind: AgencyKind
    former: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Mention:
    """Words of a text that name agencies: ``targets`` are codes or groups ("@departments"); none when the name is
    not in the registry (``said`` is then the name as written)."""

    targets: tuple[str, ...]
    start: int
    end: int
    said: str

    @property
    def known(self) -> bool:
        return bool(self.targets)


@dataclass(frozen=True, slots=True)
class Word:
    key: str  # folded, abbreviations spelled out word by word
    start: int
    end: int
    capital: bool


def words(text: str) -> list[Word]:
    """The words of ``text`` as names are compared, with where each stands in ``text``."""
    raw = [(fold(m.group(0)), m.start(), m.end(), m.group(0)[:1].isupper()) for m in TOKEN.finditer(text)]
    out: list[Word] = []
    i = 0
    longest = max(len(k) for k in ABBREVIATIONS)
    while i < len(raw):
        for n in range(min(longest, len(raw) - i), 0, -1):
            spelled = ABBREVIATIONS.get(tuple(r[0] for r in raw[i : i + n]))
            if spelled:
                start, end, cap = raw[i][1], raw[i + n - 1][2], raw[i][3]
                out += [Word(w, start, end, cap) for w in spelled.split() if w not in DROPPED]
                i += n
                break
        else:
            if raw[i][0] not in DROPPED:
                out.append(Word(raw[i][0], raw[i][1], raw[i][2], raw[i][3]))
            i += 1
    return out


@functools.lru_cache(maxsize=16)
def _tokens(text: str) -> tuple[list[Word], list[int]]:
    """``words(text)`` and where each starts, kept for the few texts being read (``leading`` is asked about every
    sentence of a duty's text: tokenising it each time made a long item quadratic)."""
    found = words(text)
    return found, [w.start for w in found]


def _keys(name: str) -> tuple[str, ...]:
    return tuple(w.key for w in words(name))


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    targets: tuple[str, ...] = ()


def _starts_with(ws: Sequence[Word], i: int, phrases: Iterable[str]) -> int:
    """How many words at ``i`` one of ``phrases`` takes (the longest), 0 if none."""
    best = 0
    for phrase in phrases:
        parts = phrase.split()
        if len(parts) > best and tuple(w.key for w in ws[i : i + len(parts)]) == tuple(parts):
            best = len(parts)
    return best


class Names:
    """The names a plan may use for the registry's agencies and for groups of them."""

    def __init__(self, registry: Sequence[Known], place: str = "", level: str = "tỉnh") -> None:
        """``place`` and ``level``: the province the plan is of ("Tuyên Quang", "tỉnh"; "Hải Phòng", "thành phố" for
        a city under the central government), so that "Sở Tư pháp thành phố" and "UBND Thành phố" are its own."""
        self.root = _Node()
        self.registry = {k.code: k for k in registry}
        self.issuer = ""  # the code of the body that issues the plan, when known
        place_keys = _keys(place) if place else ()
        for group, targets in GROUPS.items():
            self._add(tuple(group.split()), targets)
        for k in registry:
            for name in (k.name, *k.former):
                for variant in _variants(_keys(name), place_keys, _keys(level)):
                    self._add(variant, (k.code,))

    def _add(self, keys: tuple[str, ...], targets: tuple[str, ...]) -> None:
        if not keys:
            return
        node = self.root
        for key in keys:
            node = node.children.setdefault(key, _Node())
        if not node.targets:  # the first meaning stays: a group's words over an agency's
            node.targets = targets

    def define(self, short: str, targets: tuple[str, ...]) -> None:
        """A short name the plan gives ("(sau đây gọi tắt là cấp sở)")."""
        keys = _keys(short)
        node = self.root
        for key in keys:
            node = node.children.setdefault(key, _Node())
        node.targets = targets

    def _match(self, ws: Sequence[Word], i: int) -> int:
        """How many words at ``i`` the longest known name takes, 0 if none."""
        node, best, j = self.root, 0, i
        while j < len(ws) and ws[j].key in node.children:
            node = node.children[ws[j].key]
            j += 1
            if node.targets:
                best = j - i
        return best

    def _targets(self, ws: Sequence[Word], i: int, n: int) -> tuple[str, ...]:
        node = self.root
        for w in ws[i : i + n]:
            node = node.children[w.key]
        return node.targets

    def scan(self, text: str) -> list[Mention]:
        """Every known name in ``text``, longest first, left to right."""
        ws, out, i = words(text), [], 0
        while i < len(ws):
            n = self._match(ws, i)
            if n:
                out.append(self._mention(text, ws, i, n))
                i += n
            else:
                i += 1
        return out

    def _mention(self, text: str, ws: Sequence[Word], i: int, n: int) -> Mention:
        start, end = ws[i].start, ws[i + n - 1].end
        return Mention(self._targets(ws, i, n), start, end, text[start:end])

    def leading(self, text: str, start: int = 0) -> tuple[list[Mention], int]:
        """The names ``text`` opens with (from ``start``), read past "Thủ trưởng", "Chủ tịch", "Giao", commas and
        "và"; and where the rest begins (``len(text)`` when nothing follows). A capitalised run that opens like an
        agency's name ("Sở Ngoại vụ") but is not in the registry is a mention without targets."""
        every, starts = _tokens(text)
        ws = every[bisect.bisect_left(starts, start) :]  # a text's words are found once, not once per sentence
        out: list[Mention] = []
        i = 0
        while i < len(ws):
            if i == 0 and ws[0].key == "giao":
                i += 1
                continue
            n = self._match(ws, i)
            if n:
                out.append(self._mention(text, ws, i, n))
                i += n
                continue
            n = _starts_with(ws, i, PEOPLE) or (_starts_with(ws, i, FILLERS) if out else 0)
            if n:
                i += n
                continue
            n = self._unknown(text, ws, i)
            if n:
                s, e = ws[i].start, ws[i + n - 1].end
                out.append(Mention((), s, e, text[s:e]))
                i += n
                continue
            break
        rest = ws[i].start if i < len(ws) else len(text)
        return out, rest

    def _unknown(self, text: str, ws: Sequence[Word], i: int) -> int:
        """The words of an agency's name the registry does not know, at ``i`` (0 if none): capitalised, opening
        like a name, running to the next comma, semicolon or bracket, or to a verb."""
        if not ws[i].capital or not _starts_with(ws, i, INSTITUTIONS):
            return 0
        j = i + _starts_with(ws, i, INSTITUTIONS)
        if j >= len(ws) or not (ws[j].capital or (ws[j].key in LEVELS and j == i + _starts_with(ws, i, INSTITUTIONS))):
            return 0  # "Ban hành", "Báo cáo": a verb that starts a sentence, not a name ("Công an tỉnh" is one)
        while j < len(ws):
            gap = text[ws[j - 1].end : ws[j].start]
            if any(c in gap for c in ",;:()\n") or (j - i >= 3 and _starts_with(ws, j, VERBS)):
                break
            if self._match(ws, j):
                break
            j += 1
        return j - i

    def names_only(self, text: str) -> bool:
        """``text`` is nothing but names ("Sở Thông tin và Truyền thông, Báo Tuyên Quang", "Đề nghị Ban Dân vận Tỉnh
        ủy"), at least one of them known."""
        body = re.sub(r"^\s*Đề nghị\s+", "", text.strip())
        found, rest = self.leading(body)
        return bool(found) and any(m.known for m in found) and not body[rest:].strip(" .,;:")

    def after(self, text: str, at: int) -> list[Mention]:
        """The names that follow position ``at`` ("phối hợp với <names>"), up to the first other word."""
        found, _ = self.leading(text, at)
        return [m for m in found if m.known]


def _variants(
    keys: tuple[str, ...], place: tuple[str, ...], level: tuple[str, ...] = ("tinh",)
) -> Iterable[tuple[str, ...]]:
    """A name as plans write it: in full, without the province after "tỉnh" ("Ủy ban nhân dân tỉnh"), with it
    ("Sở Nội vụ tỉnh Tuyên Quang"); "thành phố" in place of "tỉnh" for a city under the central government."""
    yield keys
    n, lv = len(place), len(level)
    if place and keys[-n:] == place and len(keys) > n + lv and keys[-n - lv : -n] == level:
        yield keys[:-n]
    elif place and keys[-lv:] == level:
        yield keys + place
    elif place and keys and keys[0] == "so":
        yield (*keys, *level)
        yield (*keys, *level, *place)


def guess_kind(name: str) -> AgencyKind:
    """The kind of an agency the registry does not know, from its name."""
    k = " ".join(_keys(name))
    if re.match(r"uy ban nhan dan (huyen|thi xa|quan)\b", k) or re.match(r"uy ban nhan dan thanh pho\b", k):
        return AgencyKind.DISTRICT
    if re.match(r"uy ban nhan dan (xa|phuong|thi tran|dac khu)\b", k):
        return AgencyKind.COMMUNE
    if re.match(r"(so|thanh tra tinh|van phong uy ban nhan dan tinh|ban dan toc)\b", k):
        return AgencyKind.DEPARTMENT
    return AgencyKind.OTHER


def new_code(name: str, taken: Iterable[str]) -> str:
    """A code for a new agency from its initials ("Sở Ngoại vụ" → "SNGV" when "SNV" is taken)."""
    used = set(taken)
    parts = [w.key for w in words(name)] or ["X"]
    code = "".join(p[0] for p in parts).upper()
    code = code if len(code) >= 2 else (code + parts[-1][1:3].upper() or "AX")
    if code not in used and re.match(r"^[A-Z][A-Z0-9-]{1,31}$", code):
        return code
    for i in range(1, len(parts)):  # "Sở Ngoại vụ" when "SNV" is taken: "SNGV"
        longer = "".join(p[:2] if n == i else p[0] for n, p in enumerate(parts)).upper()[:32]
        if longer not in used and re.match(r"^[A-Z][A-Z0-9-]{1,31}$", longer):
            return longer
    n = 2
    while f"{code[:28]}-{n}" in used:
        n += 1
    return f"{code[:28]}-{n}"
