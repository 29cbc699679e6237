"""Issue 12's findings about roles, link codes and registration, each reproduced and now refused.
Real database and conversation core; the chat platform is the only fake (the harness's RecordingChannel)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from core.deadlines import VN_TZ
from core.planfile import load_plan_file
from core.types import OPERATOR, Platform, Role
from core.usecases import plan
from models import tables as t
from tests.chat_harness import Harness, Person, make_harness
from tests.conftest import Database
from tests.factories import invite_code

NOW = datetime(2023, 4, 10, 9, 0, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
async def h(loaded: Database) -> Harness:
    return make_harness(loaded)


async def registered(h: Harness, uid: str, agency: str, role: Role, platform: Platform = Platform.TELEGRAM) -> Person:
    p = h.person(uid, uid, platform)
    await p.say(f"/dangky {await invite_code(h.db, agency, role)}")
    assert "Chào mừng" in p.text, p.text
    return p


async def test_finding_3_admin_codes_belong_to_so_noi_vu_and_need_a_confirmation(h: Harness) -> None:
    admin = await registered(h, "adm", "SNV", Role.ADMIN)
    await admin.say("/moi STP quan_tri")
    assert "Mã quản trị chỉ cấp cho SNV" in admin.text
    await admin.say("/moi SNV quan_tri Nguyễn Văn B, Phó Giám đốc Sở")
    assert "Cấp mã quản trị (toàn quyền) cho Sở Nội vụ?" in admin.text and "/dangky" not in admin.text
    async with h.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.Invite).where(t.Invite.role == "admin")) == 1
    token = next(c.token for c in admin.last[0].choices if c.label == "Cấp mã quản trị")
    await admin.press_token(token)
    assert "Mã đăng ký cho đồng chí Nguyễn Văn B, Phó Giám đốc Sở, quản trị Sở Nội vụ" in admin.text
    await admin.press_token(token)  # the same confirmation cannot mint a second code
    assert "đã được sử dụng" in admin.text
    async with h.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.Invite).where(t.Invite.role == "admin")) == 2


async def test_finding_4_link_codes_one_live_ten_minutes_other_platform_only(
    h: Harness, frozen: time_machine.Traveller
) -> None:
    son = await registered(h, "son", "STP", Role.FOCAL)
    for _ in range(100):
        await son.say("/lienket")
    async with h.db.sessions() as s:
        live = await s.scalar(select(func.count()).where(t.Invite.person_id.is_not(None), t.Invite.expires_at > NOW))
    assert live == 1
    code = son.text.split("/dangky ")[1].split()[0]
    stranger = h.person("stranger", "Kẻ lạ", Platform.TELEGRAM)  # the same platform: refused
    await stranger.say(f"/dangky {code}")
    assert "gửi mã từ ứng dụng đó" in stranger.text
    assert await h.account(stranger) is None
    frozen.move_to(NOW + timedelta(minutes=11))
    zalo = h.person("z-son", "Sơn", Platform.ZALO)
    await zalo.say(f"/dangky {code}")
    assert "hết hạn" in zalo.text and await h.account(zalo) is None


async def test_finding_9_wrong_codes_are_audited_and_throttled(h: Harness, frozen: time_machine.Traveller) -> None:
    guesser = h.person("g", "Đoán Mò")
    for i in range(5):
        await guesser.say(f"/start WRONGCODE{i:07d}")
        assert "không hợp lệ" in guesser.text
    good = await invite_code(h.db, "STP", Role.FOCAL)
    await guesser.say(f"/start {good}")  # even a right code waits now
    assert "thử lại sau 10 phút" in guesser.text and await h.account(guesser) is None
    async with h.db.sessions() as s:
        rows = (await s.scalars(select(t.AuditLog).where(t.AuditLog.action == "register_failed"))).all()
    assert len(rows) == 5 and all("WRONGCODE" not in str(r.detail) for r in rows)
    frozen.move_to(NOW + timedelta(minutes=11))
    await guesser.say(f"/start {good}")
    assert "Chào mừng" in guesser.text


SECOND_PLAN = """
[plan]
number = "99/KH-UBND"
title = "Kế hoạch thứ hai"
issuing_body = "Ủy ban nhân dân tỉnh Tuyên Quang"
issued_on = 2023-03-20
signer = "Người ký"
year = 2023

[[agencies]]
code = "STP"
name = "Sở Tư pháp"
kind = "department"

[[agencies]]
code = "SNV"
name = "Sở Nội vụ"
kind = "department"

[[agencies]]
code = "UBND-TINH"
name = "Ủy ban nhân dân tỉnh Tuyên Quang"
kind = "other"

[[tasks]]
ref = "II.1"
title = "Nhiệm vụ của kế hoạch thứ hai"
carry_out = ["STP"]
text = "Nội dung riêng của Kế hoạch 99."

[[series]]
code = "thang"
name = "Báo cáo tháng"
recurrence = "monthly"
wording = "chậm nhất trong ngày 20 hàng tháng"
owed_by = ["STP"]
receiver = "UBND-TINH"
via = "SNV"
"""


async def test_finding_2_several_plans_name_their_periods_and_tasks(h: Harness, tmp_path: Path) -> None:
    path = tmp_path / "99.toml"
    path.write_text(SECOND_PLAN, encoding="utf-8")
    async with h.db.uows() as uow:
        await plan.import_plan(uow, OPERATOR, load_plan_file(path))
        await uow.commit()
    admin = await registered(h, "adm", "SNV", Role.ADMIN)
    await admin.say("/tonghop 2023-04")
    assert "Nhiều kế hoạch có kỳ báo cáo trùng tên này" in admin.text
    # Each with its plan, in words: never a machine key (issue 30).
    assert [c.label for c in admin.last[0].choices] == [
        "Báo cáo tháng 4/2023 (KH 46/KH-UBND)",
        "Báo cáo tháng 4/2023 (KH 99/KH-UBND)",
    ]
    await admin.press("Báo cáo tháng 4/2023 (KH 99/KH-UBND)")
    assert "Báo cáo tháng 4/2023 (KH 99/KH-UBND) — hạn chót thứ Năm, 20/4/2023" in admin.text
    assert "Chưa gửi (1)" in admin.text
    await admin.say("/tonghop 46/KH-UBND thang:2023-04")  # named with its plan: no question
    assert "Chưa gửi (24)" in admin.text

    son = await registered(h, "son", "STP", Role.FOCAL)
    await son.say("/danop 2023-04")
    labels = [c.label for c in son.last[0].choices]
    assert "Báo cáo tháng 4/2023 (KH 46/KH-UBND)" in labels and "Báo cáo tháng 4/2023 (KH 99/KH-UBND)" in labels
    await son.press("Báo cáo tháng 4/2023 (KH 99/KH-UBND)")
    assert "hạn chót thứ Năm, 20/4/2023" in son.text
    await son.say("/nhiemvu II.1")  # the same ref in two plans: both, each under its plan
    assert "Kế hoạch số 46/KH-UBND, mục II.1" in son.text and "Kế hoạch số 99/KH-UBND, mục II.1" in son.text


async def test_finding_8_a_reply_is_at_most_a_few_messages(h: Harness, tmp_path: Path) -> None:
    long_text = "\\n\\n".join(f"Đoạn {i}: nội dung nhiệm vụ rất dài của kế hoạch." for i in range(380))
    path = tmp_path / "99.toml"
    path.write_text(
        SECOND_PLAN.replace('"Nội dung riêng của Kế hoạch 99."', f'"""\\n{long_text}\\n"""'), encoding="utf-8"
    )
    async with h.db.uows() as uow:
        await plan.import_plan(uow, OPERATOR, load_plan_file(path))
        await uow.commit()
    son = await registered(h, "son", "STP", Role.FOCAL)
    await son.say("/nhiemvu II.1")
    replies = son.last
    assert all(len(r.text) <= 6100 for r in replies)
    long_one = next(r.text for r in replies if "99/KH-UBND" in r.text)
    assert "dòng nữa không hiển thị" in long_one and "Đoạn 379" not in long_one
