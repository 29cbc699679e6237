"""Agencies that change (Vietnam's reorganisation of 2025): renames, merges and dissolutions keep history.

Plan 46 (2023) is imported and answered; departments are merged and renamed and the districts abolished
as from 2025; a small 2026 plan addresses the successors and commune-level People's Committees. 2023's
/tonghop and Excel export still name the agencies of 2023. Real database, real conversation core.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook

from core.deadlines import VN_TZ
from core.errors import LineageError
from core.planfile import PlanFileError, load_plan_file
from core.types import OPERATOR, Role
from core.usecases import plan
from tests.chat_harness import Harness, make_harness
from tests.conftest import PLAN_46, Database
from tests.factories import invite_code, submit

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
PLAN_2026 = """
[plan]
number = "12/KH-UBND"
title = "Thực hiện công tác dân vận chính quyền năm 2026"
issuing_body = "Ủy ban nhân dân tỉnh Tuyên Quang"
issued_on = 2026-02-10
signer = "Người ký"
year = 2026

[[agencies]]
code = "SNV"
name = "Sở Nội vụ"
kind = "department"

[[agencies]]
code = "SNNPTNT"
name = "Sở Nông nghiệp và Môi trường"
kind = "department"

[[agencies]]
code = "UBND-TINH"
name = "Ủy ban nhân dân tỉnh Tuyên Quang"
kind = "other"

[[agencies]]
code = "UBND-XA-HAMYEN"
name = "Ủy ban nhân dân xã Hàm Yên"
kind = "commune"

[[agencies]]
code = "UBND-P-MINHXUAN"
name = "Ủy ban nhân dân phường Minh Xuân"
kind = "commune"

[[tasks]]
ref = "II.1"
title = "Quán triệt, triển khai"
carry_out = ["@departments", "@communes"]
text = "Tổ chức quán triệt, triển khai thực hiện Kế hoạch."

[[series]]
code = "nam"
name = "Báo cáo năm"
recurrence = "annual"
wording = "trước ngày 15/11/2026"
owed_by = ["@departments", "@communes"]
receiver = "UBND-TINH"
via = "SNV"
receiver_wording = "Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp)"
"""


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


async def _reorganise(db: Database) -> None:
    async with db.uows() as uow:
        # From 1/3/2025: Sở Tài nguyên và Môi trường joins Sở Nông nghiệp và Phát triển nông thôn, renamed.
        await plan.rename_agency(uow, OPERATOR, "SNNPTNT", "Sở Nông nghiệp và Môi trường", date(2025, 3, 1))
        await plan.end_agency(uow, OPERATOR, "STNMT", date(2025, 3, 1), into="SNNPTNT")
        # From 1/7/2025 the district level is abolished.
        await plan.end_agency(uow, OPERATOR, "UBND-HY", date(2025, 7, 1))
        await uow.commit()


async def test_a_merge_keeps_2023_names_and_2026_plans_address_the_successors(loaded: Database, tmp_path: Path) -> None:
    for code in ("STP", "SNNPTNT", "UBND-HY"):
        assert not await submit(loaded, code, "thang:2023-04", datetime(2023, 4, 14, 9, tzinfo=VN_TZ))
    await _reorganise(loaded)
    new_plan = tmp_path / "12-KH-UBND-2026.toml"
    new_plan.write_text(PLAN_2026, encoding="utf-8")
    async with loaded.uows() as uow:
        await plan.import_plan(uow, OPERATOR, load_plan_file(new_plan))
        # Plan 46 imported again (as `make run` does) names the agencies as they were in 2023: accepted.
        report = await plan.import_plan(uow, OPERATOR, load_plan_file(PLAN_46))
        assert not report.changed
        await uow.commit()

    h: Harness = make_harness(loaded)
    admin = h.person("adm", "Quản Trị")
    await admin.say(f"/dangky {await invite_code(loaded, 'SNV', Role.ADMIN)}")
    await admin.say("/tonghop thang:2023-04")
    april = admin.text
    assert "Sở Nông nghiệp và Phát triển nông thôn" in april and "Sở Nông nghiệp và Môi trường" not in april
    assert "Sở Tài nguyên và Môi trường" in april and "Ủy ban nhân dân huyện Hàm Yên" in april
    assert "Đúng hạn (3)" in april and "Chưa gửi (21)" in april  # 2023's 24 agencies, as they were

    await admin.say("/xuat thang:2023-04")
    doc = admin.last[0].document
    assert doc is not None
    rows = list(load_workbook(io.BytesIO(doc.data))["Chi tiết"].iter_rows(values_only=True))[1:]
    names = {r[3]: r[4] for r in rows}
    assert (
        names["SNNPTNT"] == "Sở Nông nghiệp và Phát triển nông thôn"
        and names["UBND-HY"] == "Ủy ban nhân dân huyện Hàm Yên"
    )
    assert len(rows) == 24

    await admin.say("/tonghop 2026")
    year = admin.text
    assert "Báo cáo năm 2026" in year and "Chưa gửi (3)" in year  # Sở Nội vụ compiles it
    assert "Sở Nông nghiệp và Môi trường" in year and "Ủy ban nhân dân xã Hàm Yên" in year
    assert "Tài nguyên" not in year and "huyện Hàm Yên" not in year

    async with loaded.uows() as uow:
        everyone = {a.code: a for a in await plan.agencies(uow, include_inactive=True)}
        listed = {a.code for a in await plan.agencies(uow)}
    assert everyone["STNMT"].successor == "SNNPTNT" and everyone["STNMT"].ended_on == date(2025, 3, 1)
    assert everyone["SNNPTNT"].former_names == (("Sở Nông nghiệp và Phát triển nông thôn", date(2025, 3, 1)),)
    assert everyone["UBND-HY"].ended_on == date(2025, 7, 1) and everyone["UBND-HY"].successor is None
    assert "STNMT" not in listed and "UBND-HY" not in listed and "UBND-XA-HAMYEN" in listed


async def test_a_plan_file_cannot_rename_an_agency_behind_historys_back(loaded: Database, tmp_path: Path) -> None:
    await _reorganise(loaded)
    edited = tmp_path / "46.toml"
    edited.write_text(
        PLAN_46.read_text(encoding="utf-8").replace(
            'name = "Sở Nông nghiệp và Phát triển nông thôn"', 'name = "Sở Nông nghiệp"'
        ),
        encoding="utf-8",
    )
    async with loaded.uows() as uow:
        with pytest.raises(PlanFileError, match="agencies rename"):
            await plan.import_plan(uow, OPERATOR, load_plan_file(edited))
    async with loaded.uows() as uow:
        found = await plan.agency(uow, "SNNPTNT")
        assert found.name == "Sở Nông nghiệp và Môi trường"  # nothing was written


async def test_lineage_refusals_change_nothing(loaded: Database) -> None:
    await _reorganise(loaded)
    async with loaded.uows() as uow:
        with pytest.raises(LineageError):
            await plan.end_agency(uow, OPERATOR, "STNMT", date(2025, 9, 1))  # ended already
        with pytest.raises(LineageError):
            await plan.end_agency(uow, OPERATOR, "SXD", date(2025, 3, 1), into="STNMT")  # into an ended agency
        with pytest.raises(LineageError):
            await plan.rename_agency(uow, OPERATOR, "SNNPTNT", "Tên khác", date(2024, 1, 1))  # before the last
        with pytest.raises(LineageError):
            await plan.end_agency(uow, OPERATOR, "SXD", date(2025, 3, 1), into="SXD")


async def test_a_newer_plan_renames_an_agency_from_its_date_and_the_older_keeps_its_name(
    loaded: Database, tmp_path: Path
) -> None:
    """Issue 12, finding 11: a second plan listing STP under another name renamed it for plan 46 too. Issue 29: nor
    may it be refused: the newer plan's name holds from its date, and plan 46's periods keep the name of their
    time; the import says so. ``--update-agencies`` corrects the name for every time."""
    second = tmp_path / "second.toml"
    second.write_text(
        PLAN_2026.replace(
            'code = "SNNPTNT"\nname = "Sở Nông nghiệp và Môi trường"', 'code = "STP"\nname = "Sở Tư pháp (mới)"'
        ).replace('"@departments", "@communes"', '"STP", "@communes"'),
        encoding="utf-8",
    )
    async with loaded.uows() as uow:
        report = await plan.import_plan(uow, OPERATOR, load_plan_file(second))
        await uow.commit()
    assert report.changes["agencies renamed from the plan's date"] == 1
    async with loaded.uows() as uow:
        stp = await plan.agency(uow, "STP")
        assert stp.name == "Sở Tư pháp (mới)"
        assert stp.name_on(date(2023, 4, 15)) == "Sở Tư pháp"  # plan 46's April keeps the name of its time
        await plan.import_plan(uow, OPERATOR, load_plan_file(second), update_agencies=True)  # nothing more to do
        await uow.commit()
    async with loaded.uows() as uow:
        assert (await plan.agency(uow, "STP")).name == "Sở Tư pháp (mới)"
