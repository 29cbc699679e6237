"""A province's agencies from the official registry (issue 22), through the real CLI and the real core.

On a database holding plan 46 of 2023: `province load "Tuyên Quang" --from 2025-07-01` adds the 124 communes and wards
of the official list and the 2025 departments, records the mergers of 1/3/2025, the split of Sở Lao động - Thương
binh và Xã hội and each district's communes, and changes nothing when run again; 2023's history keeps its names.
`agencies split` records a split by hand; `invite @communes --out` writes one code per commune; a plan of 2026 that
owes `@communes` reminds the communes' focal persons and /tonghop groups them by kind. Real database (SQLite and
PostgreSQL); the only fake is the chat platform (RecordingChannel).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from openpyxl import load_workbook
from sqlalchemy import func, select

from core import registry
from core.deadlines import VN_TZ
from core.planfile import AgencySpec, load_plan_file
from core.types import OPERATOR, AgencyKind, Platform, Role
from core.usecases import plan, province
from core.usecases.rules import Rules
from models import tables as t
from scheduler.engine import ReminderEngine
from scheduler.sender import OutboxSender, RetryPolicy
from tests.chat_harness import make_harness
from tests.cli_runner import Result, run_cli
from tests.conftest import ROOT, Database
from tests.factories import add_agencies, add_person
from tests.fakes import RecordingChannel

PLAN_2026 = ROOT / "tests" / "fixtures" / "plans" / "xa-2026.toml"
TUYEN_QUANG = registry.province("Tuyên Quang")


def _commune(name: str) -> str:
    """The stable code of the commune or ward the official list calls ``name``."""
    return province.commune_code(next(c.code for c in TUYEN_QUANG.communes if c.name == name))


@pytest.fixture
def cli(loaded: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(*args: str) -> Result:
        return run_cli(list(args), loaded.env, tmp_path)

    return run


async def _count(db: Database, model: type) -> int:
    async with db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_province_loads_its_communes_and_departments_once(cli, loaded: Database) -> None:  # type: ignore[no-untyped-def]
    before = await _count(loaded, t.Agency)
    dry = cli("province", "load", "Tuyên Quang", "--from", "2025-07-01", "--dry-run", "--json")
    assert dry.code == 0, dry.err
    assert sum(a["kind"] == "commune" for a in dry.json()["added"]) == 124
    assert await _count(loaded, t.Agency) == before  # a dry run writes nothing

    first = cli("province", "load", "Tuyên Quang", "--from", "2025-07-01", "--json")
    assert first.code == 0, first.err
    added = first.json()["added"]
    assert sum(a["kind"] == "commune" for a in added) == 124
    assert {a["name"] for a in added if a["kind"] == "department"} == {
        "Sở Nông nghiệp và Môi trường",
        "Sở Dân tộc và Tôn giáo",
    }
    ended = {e["code"]: e for e in first.json()["ended"]}
    assert ended["SKHDT"]["into"] == ["STC"] and ended["SKHDT"]["on"] == "2025-03-01"
    assert ended["STNMT"]["into"] == ended["SNNPTNT"]["into"] == ["SNNMT"]
    assert ended["SLDTBXH"]["into"] == ["SNV", "SYT", "SGDDT"]
    assert ended["UBND-LB"]["on"] == "2025-07-01" and _commune("Xã Thượng Lâm") in ended["UBND-LB"]["into"]
    assert len(ended) == 7 + 7  # six changes of 1/3/2025 over seven departments, and the seven districts

    again = cli("province", "load", "tuyen quang", "--from", "2025-07-01", "--json")
    assert again.code == 0, again.err
    assert (again.json()["added"], again.json()["placed"], again.json()["ended"]) == ([], [], [])
    assert await _count(loaded, t.Agency) == before + 126

    listed = cli("agencies", "--json").json()
    names = [a["name"] for a in listed]
    assert "Ủy ban nhân dân xã Thượng Lâm" in names and "Ủy ban nhân dân phường Minh Xuân" in names
    departments = [a["name"] for a in listed if a["kind"] == "department"]
    assert departments[:3] == ["Văn phòng Ủy ban nhân dân tỉnh", "Sở Nội vụ", "Sở Tư pháp"]  # the official order
    assert "Sở Kế hoạch và Đầu tư" not in names and "Ủy ban nhân dân huyện Lâm Bình" not in names
    communes = [a for a in listed if a["kind"] == "commune"]
    assert len(communes) == 124 and [a["order"] for a in communes] == list(range(1, 125))
    lineage = {a["code"]: a for a in cli("agencies", "--all", "--json").json()}
    assert lineage["SLDTBXH"]["successors"] == ["SNV", "SYT", "SGDDT"]
    assert len(lineage["UBND-LB"]["successors"]) == 4

    # 2023's history is as it was: 24 agencies owe April (Sở Nội vụ compiles it), under their 2023 names.
    april = cli("status", "2023-04", "--json").json()
    assert len(april) == 24
    assert {"Sở Kế hoạch và Đầu tư", "Ủy ban nhân dân huyện Lâm Bình"} <= {r["name"] for r in april}
    assert cli("import-plan", str(ROOT / "plans" / "46-KH-UBND-2023.toml")).out.startswith(
        "Kế hoạch 46/KH-UBND: không có thay đổi"
    )


def test_an_unknown_province_or_an_early_date_is_refused(cli) -> None:  # type: ignore[no-untyped-def]
    unknown = cli("province", "load", "Hà Tây", "--from", "2025-07-01")
    assert unknown.code == 2 and "không có tỉnh, thành phố 'Hà Tây'" in unknown.err
    early = cli("province", "load", "Tuyên Quang", "--from", "2025-06-30")
    assert early.code == 2 and "có hiệu lực từ ngày 1/7/2025" in early.err
    assert len(cli("agencies", "--json").json()) == 25 + 11  # plan 46's agencies only


def test_a_split_names_every_successor_and_keeps_2023(cli) -> None:  # type: ignore[no-untyped-def]
    split = cli("agencies", "split", "SLDTBXH", "--into", "SNV,SYT,SGDDT", "--from", "2025-03-01")
    assert split.code == 0, split.err
    assert "chia tách vào SNV, SYT, SGDDT từ 1/3/2025" in split.out
    ended = next(a for a in cli("agencies", "--all", "--json").json() if a["code"] == "SLDTBXH")
    assert ended["successors"] == ["SNV", "SYT", "SGDDT"] and ended["ended_on"] == "2025-03-01"
    assert "SLDTBXH" not in {a["code"] for a in cli("agencies", "--json").json()}
    april = cli("status", "2023-04").out
    assert "Sở Lao động - Thương binh và Xã hội" in " ".join(april.split())

    again = cli("agencies", "split", "SLDTBXH", "--into", "SNV,SYT", "--from", "2025-03-01")
    assert again.code == 2 and "đã kết thúc từ ngày 1/3/2025" in again.err
    one = cli("agencies", "split", "STP", "--into", "SNV", "--from", "2025-03-01")
    assert one.code == 2 and "ít nhất hai" in one.err
    stranger = cli("agencies", "split", "STP", "--into", "SNV,SYT", "--takes", "SXD", "--from", "2025-03-01")
    assert stranger.code == 2 and "phải là một trong các cơ quan tiếp nhận" in stranger.err
    assert next(a for a in cli("agencies", "--json").json() if a["code"] == "STP")["successors"] == []


async def test_a_split_hands_a_running_plan_to_the_takers(loaded: Database) -> None:
    """The takers owe the running plan's periods due from the split's day; 2023's plan is not handed over."""
    async with loaded.uows() as uow:
        await province.load(uow, OPERATOR, "Tuyên Quang", date(2025, 7, 1))
        await plan.import_plan(uow, OPERATOR, load_plan_file(PLAN_2026, registry=await plan.registered(uow)))
        await uow.commit()
    minh_xuan = _commune("Phường Minh Xuân")
    async with loaded.uows() as uow:
        await province.split(uow, OPERATOR, minh_xuan, ["SNV", "SYT"], date(2026, 6, 1), ["SYT"])
        await uow.commit()
        owed = {p.period.key for p in await uow.periods.of_agency((await plan.agency(uow, "SYT")).id, *_2026())}
        assert {"2026-06", "2026-12"} <= owed  # the months due from 1/6 (SYT owed them already as a department)
        ended = await plan.agency(uow, minh_xuan)
    assert ended.successors == ("SNV", "SYT") and ended.ended_on == date(2026, 6, 1)


def _2026() -> tuple[datetime, datetime]:
    return datetime(2026, 1, 1, tzinfo=VN_TZ), datetime(2027, 1, 1, tzinfo=VN_TZ)


def test_invites_for_every_commune_in_one_workbook(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("province", "load", "Tuyên Quang", "--from", "2025-07-01").code == 0
    target = tmp_path / "invites.xlsx"
    made = cli("invite", "@communes", "--role", "focal", "--out", str(target))
    assert made.code == 0, made.err
    assert "Đã tạo 124 mã đăng ký (đầu mối) cho @communes" in " ".join(made.out.split())
    rows = list(load_workbook(io.BytesIO(target.read_bytes())).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("STT", "Cơ quan, đơn vị", "Mã cơ quan", "Vai trò", "Mã đăng ký")
    body = rows[1:]
    assert len(body) == 124 and len({r[4] for r in body}) == 124
    assert body[0][1] == f"Ủy ban nhân dân {TUYEN_QUANG.communes[0].name[0].lower()}{TUYEN_QUANG.communes[0].name[1:]}"
    assert {r[3] for r in body} == {"đầu mối"}

    unknown = cli("invite", "@xom", "--out", str(tmp_path / "x.xlsx"))
    assert unknown.code == 2 and not (tmp_path / "x.xlsx").exists()
    no_file = cli("invite", "@communes")
    assert no_file.code == 2 and "--out" in no_file.err


@pytest.fixture
def in_march_2026() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(datetime(2026, 3, 13, 7, 0, tzinfo=VN_TZ), tick=False) as traveller:
        yield traveller


async def test_a_2026_plan_owing_communes_reminds_them_and_tonghop_groups_them(
    loaded: Database, in_march_2026: time_machine.Traveller
) -> None:
    async with loaded.uows() as uow:
        await province.load(uow, OPERATOR, "Tuyên Quang", date(2025, 7, 1))
        await plan.import_plan(uow, OPERATOR, load_plan_file(PLAN_2026, registry=await plan.registered(uow)))
        await uow.commit()
    minh_xuan, thuong_lam = _commune("Phường Minh Xuân"), _commune("Xã Thượng Lâm")
    await add_person(loaded, minh_xuan, Role.FOCAL, "Nguyễn Thị Hoa", "mx-hoa")
    await add_person(loaded, thuong_lam, Role.FOCAL, "Ma Văn Lâm", "tl-lam")
    await add_person(loaded, "SNV", Role.ADMIN, "Phạm Minh Em", "snv-admin")

    channel = RecordingChannel()
    sender = OutboxSender(loaded.uows, {Platform.CONSOLE: channel}, RetryPolicy(max_attempts=4))
    engine = ReminderEngine(loaded.uows, Rules(), sender, AsyncIOScheduler(timezone=VN_TZ))
    due = datetime(2026, 3, 13, 8, 0, tzinfo=VN_TZ)  # a week before "chậm nhất trong ngày 20 hàng tháng"
    in_march_2026.move_to(due)
    queued = await engine.fire_key("21/KH-UBND:thang:2026-03:before:7", due)
    await sender.drain_once()
    assert queued == 2  # the two communes' focal persons; nobody else of the 136 agencies is registered
    for chat, commune in (("mx-hoa", "Ủy ban nhân dân phường Minh Xuân"), ("tl-lam", "Ủy ban nhân dân xã Thượng Lâm")):
        (text,) = channel.to(chat)
        assert commune in text and "Kế hoạch số 21/KH-UBND" in text and "Báo cáo tháng 3/2026" in text

    h = make_harness(loaded, due)
    admin = h.person("snv-admin", "Phạm Minh Em", Platform.CONSOLE)
    await admin.say("/tonghop 21/KH-UBND thang:2026-03")
    lines = admin.text.splitlines()
    assert lines[1].startswith("Đúng hạn (0)")
    waiting = lines[lines.index(next(line for line in lines if line.startswith("Chưa gửi (136)"))) :]
    assert waiting[1].startswith("• Sở, ban, ngành (12): Văn phòng Ủy ban nhân dân tỉnh; Sở Tư pháp;")
    assert waiting[2].startswith("• UBND xã, phường (124): Ủy ban nhân dân phường Hà Giang 2")
    assert "Ủy ban nhân dân phường Minh Xuân (đã được nhắc)" in waiting[2]
    assert "Trong 136 cơ quan: 2 đã được nhắc" in admin.text


async def test_the_merged_provinces_agencies_end_into_this_ones(loaded: Database) -> None:
    """Hà Giang joined Tuyên Quang on 1/7/2025: a department of Hà Giang ends into Tuyên Quang's of the same name, a
    district of Hà Giang into the communes that took its place."""
    await add_agencies(
        loaded,
        [
            AgencySpec("HG-STP", "Sở Tư pháp tỉnh Hà Giang", AgencyKind.DEPARTMENT, True),
            AgencySpec("HG-DV", "Ủy ban nhân dân huyện Đồng Văn", AgencyKind.DISTRICT, True),
        ],
    )
    async with loaded.uows() as uow:
        report = await province.load(uow, OPERATOR, "Tuyên Quang", date(2025, 7, 1))
        await uow.commit()
    ended = {e.code: e for e in report.ended}
    assert ended["HG-STP"].into == ("STP",) and ended["HG-STP"].on == date(2025, 7, 1)
    dong_van = next(d for d in TUYEN_QUANG.districts_before if d.name == "Huyện Đồng Văn")
    assert dong_van.province == "Tỉnh Hà Giang"
    assert ended["HG-DV"].into == tuple(province.commune_code(c) for c in dong_van.communes)
    async with loaded.uows() as uow:
        assert (await plan.agency(uow, "HG-STP")).successor == "STP"
        assert len((await plan.agency(uow, "HG-DV")).successors) == len(dong_van.communes) == 6


def test_status_lists_departments_before_communes(cli) -> None:  # type: ignore[no-untyped-def]
    """Issue 29: `status` listed the communes before the departments (the kinds' names sorted)."""
    assert cli("province", "load", "Tuyên Quang", "--from", "2025-07-01").code == 0
    assert cli("import-plan", str(PLAN_2026)).code == 0
    status = cli("status", "21/KH-UBND thang:2026-03", "--json")
    assert status.code == 0, status.err
    kinds = {a["code"]: a["kind"] for a in cli("agencies", "--json").json()}
    listed = [kinds[row["agency"]] for row in status.json()]
    assert listed == sorted(listed, key=lambda k: ["department", "district", "commune", "other"].index(k))
    assert listed[0] == "department" and listed[-1] == "commune"


def test_a_groups_codes_last_a_month_and_a_single_code_a_week(cli) -> None:  # type: ignore[no-untyped-def]
    """Issue 29: a group's codes travel with an official letter through the document system: 7 days was too short."""
    assert cli("province", "load", "Tuyên Quang", "--from", "2025-07-01").code == 0
    group = cli("invite", "@departments", "--json")
    assert group.code == 0, group.err
    single = cli("invite", "STP", "--json").json()
    made = [datetime.fromisoformat(i["expires_at"]) for i in group.json()]
    one = datetime.fromisoformat(single["expires_at"])
    assert all(abs((e - one).total_seconds() - 23 * 86400) < 120 for e in made)  # 30 days against 7
