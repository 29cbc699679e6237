"""The official registry of a province: its communes and wards from 1/7/2025 (the official list, with codes), its
departments of 2025 with their legal basis, and how the agencies of before became them.

Pure data, shipped with the package: ``communes-2025.json`` (built from the vietnamadminunits dataset, MIT licence,
by ``plans/provinces/make_communes.py``) and ``departments-2025.toml`` (written by hand, each line citing its
document). Nothing here touches the database: ``core.usecases.province`` holds it against the registry.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from core.errors import ProvinceUnknown
from core.reading.text import fold

EFFECTIVE = date(2025, 7, 1)  # the communes' list and the merged provinces (Nghị quyết 202/2025/QH15)


@dataclass(frozen=True, slots=True)
class Unit:
    code: str  # official code: "02203"
    name: str  # "Phường Minh Xuân"

    @property
    def agency_name(self) -> str:
        """ "Ủy ban nhân dân phường Minh Xuân" (a district of before: "Ủy ban nhân dân huyện Lâm Bình")."""
        kind, _, rest = self.name.partition(" ")
        if kind.lower() in {"thành", "thị", "đặc"}:  # "Thành phố …", "Thị xã …", "Đặc khu …": two words
            second, _, rest = rest.partition(" ")
            kind = f"{kind} {second}"
        return f"Ủy ban nhân dân {kind.lower()} {rest}"


@dataclass(frozen=True, slots=True)
class DistrictBefore:
    code: str
    name: str  # "Huyện Lâm Bình"
    province: str  # "Tỉnh Tuyên Quang": the province of before
    communes: tuple[str, ...]  # official codes of the communes that took its place

    @property
    def agency_name(self) -> str:
        return Unit(self.code, self.name).agency_name


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name: str
    basis: str


@dataclass(frozen=True, slots=True)
class Change:
    """Agencies of before (by name) that became others (by name) from a day: one successor is a merge, several a
    split."""

    on: date
    names: tuple[str, ...]
    into: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Province:
    code: str  # "08"
    name: str  # "Tỉnh Tuyên Quang"
    short: str  # "Tuyên Quang"
    merged_from: tuple[str, ...]  # the provinces of before: ("Tỉnh Hà Giang", "Tỉnh Tuyên Quang")
    communes: tuple[Unit, ...]  # in official order
    districts_before: tuple[DistrictBefore, ...]
    departments: tuple[Department, ...]  # in the province's order
    changes: tuple[Change, ...]

    @property
    def is_city(self) -> bool:
        return self.name.startswith("Thành phố")


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def _communes() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_read("communes-2025.json"))
    return data


@cache
def _departments() -> dict[str, Any]:
    return tomllib.loads(_read("departments-2025.toml"))


def _key(name: str) -> str:
    """ "Tỉnh Tuyên Quang", "tuyen quang", "TP. Hồ Chí Minh" → "tuyen quang", "ho chi minh"."""
    folded = " ".join(fold(name).replace(".", " ").split())
    return re.sub(r"^(tinh|thanh pho|tp)\s+", "", folded)


def names() -> list[str]:
    """The 34 provinces' short names, in official order."""
    return [str(p["short"]) for p in _communes()["provinces"]]


def province(name: str) -> Province:
    """The province called ``name`` (with or without "Tỉnh"/"Thành phố", diacritics or not).

    Raises:
        ProvinceUnknown: none of the 34 is called so.
    """
    key = _key(name)
    found = next((p for p in _communes()["provinces"] if _key(p["short"]) == key or _key(p["name"]) == key), None)
    if found is None or not key:
        raise ProvinceUnknown(name)
    tinh = "thành phố" if str(found["name"]).startswith("Thành phố") else "tỉnh"
    data = _departments()
    own: dict[str, Any] = next((p for p in data.get("province", []) if _key(p["name"]) == key), {})
    departments = [Department(d["code"], d["name"].replace("{tinh}", tinh), d["basis"]) for d in data["common"]]
    for d in own.get("departments", []):
        after = next((i + 1 for i, x in enumerate(departments) if x.code == d.get("after")), len(departments))
        departments.insert(after, Department(d["code"], d["name"].replace("{tinh}", tinh), d["basis"]))
    return Province(
        code=found["code"],
        name=found["name"],
        short=found["short"],
        merged_from=tuple(found["merged_from"]),
        communes=tuple(Unit(c, n) for c, n in found["communes"]),
        districts_before=tuple(DistrictBefore(c, n, p, tuple(w)) for c, n, p, w in found["districts_before"]),
        departments=tuple(departments),
        changes=tuple(Change(c["from"], tuple(c["names"]), tuple(c["into"])) for c in own.get("changes", [])),
    )


def source() -> str:
    """Where the communes' list comes from, with its licence."""
    return str(_communes()["source"])
