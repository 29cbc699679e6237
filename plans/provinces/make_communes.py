"""Build core/registry/communes-2025.json from the vietnamadminunits dataset (MIT licence).

The dataset (https://github.com/tranngocminhhieu/vietnamadminunits, collected from danhmuchanhchinh.gso.gov.vn
and sapnhap.bando.com.vn) holds the official list of the 34 provinces and their 3,321 communes, wards and special
zones from 1/7/2025 with their official codes, the 63 provinces of before with their districts and wards, and
which old wards became which new ones. Only its data is read (the wheel is a zip; nothing of it is imported or
installed, so its dependencies never enter ours):

    .venv/bin/python -m pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/vau
    .venv/bin/python plans/provinces/make_communes.py /tmp/vau/vietnamadminunits-1.0.4-py3-none-any.whl

The output keeps, per province: its official code and name, the provinces merged into it, its communes in official
order (code, name), and for each district of before (of every province merged into it) the communes that took its
place. The dataset's licence is copied beside the output.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "core" / "registry"


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "dataset.db"
        db.write_bytes(z.read("vietnamadminunits/data/dataset.db"))
        converter = json.loads(z.read("vietnamadminunits/data/converter_2025.json"))
        licence = next(n for n in z.namelist() if n.endswith("licenses/LICENSE"))
        (OUT / "LICENSE-vietnamadminunits").write_bytes(z.read(licence))
        version = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA")).split("/")[0]
        c = sqlite3.connect(db)
        new = c.execute(
            "select provinceCode, province, provinceShort, provinceKey, wardCode, ward, wardKey from admin_units "
            "order by provinceCode, wardCode"
        ).fetchall()
        old = c.execute(
            "select province, provinceKey, districtCode, district, districtKey, wardKey from admin_units_legacy"
        ).fetchall()
        c.close()

    old_province_name = {key: name for name, key, *_ in old}
    district_of: dict[str, tuple[str, str, str]] = {}  # "province_district_ward" key → (district code, name, province)
    for province, pkey, dcode, district, dkey, wkey in old:
        district_of[f"{pkey}_{dkey}_{wkey or ''}"] = (dcode, district, province)
    provinces: dict[str, dict[str, object]] = {}
    ward_code: dict[tuple[str, str], str] = {}
    for pcode, pname, pshort, pkey, wcode, wname, wkey in new:
        p = provinces.setdefault(
            pkey,
            {
                "code": pcode,
                "name": pname,
                "short": pshort,
                "merged_from": sorted(old_province_name[k] for k in converter["DICT_PROVINCE"][pkey]),
                "communes": [],
            },
        )
        p["communes"].append([wcode, wname])  # type: ignore[attr-defined]
        ward_code[(pkey, wkey)] = wcode
    for pkey, p in provinces.items():
        took: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for new_key, old_keys in converter["DICT_PROVINCE_WARD_NO_DIVIDED"][pkey].items():
            for old_key in old_keys:
                if old_key in district_of:
                    took[district_of[old_key]].add(ward_code[(pkey, new_key)])
        for old_key, parts in converter["DICT_PROVINCE_WARD_DIVIDED"].get(pkey, {}).items():
            for part in parts:
                if old_key in district_of:
                    took[district_of[old_key]].add(ward_code[(pkey, part["newWardKey"])])
        p["districts_before"] = [
            [dcode, dname, province, sorted(codes)] for (dcode, dname, province), codes in sorted(took.items())
        ]
    data = {
        "source": f"{version.removesuffix('.dist-info')} (MIT licence: LICENSE-vietnamadminunits), "
        "from danhmuchanhchinh.gso.gov.vn and sapnhap.bando.com.vn",
        "effective": "2025-07-01",
        "provinces": sorted(provinces.values(), key=lambda p: str(p["code"])),
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    (OUT / "communes-2025.json").write_text(text.replace('{"code"', '\n{"code"') + "\n", encoding="utf-8")
    n = sum(len(p["communes"]) for p in provinces.values())  # type: ignore[arg-type]
    print(f"{len(provinces)} provinces, {n} communes → {OUT / 'communes-2025.json'}")


if __name__ == "__main__":
    main(sys.argv[1])
