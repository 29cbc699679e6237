"""The conversation core: registration, every command's permissions, the flows, and bad input.

Real database (SQLite, and PostgreSQL when configured), real unit of work, outbox and reminder engine; the chat
platform is the only fake (RecordingChannel). Time is frozen with time-machine at 10/4/2023 09:00.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.conversation.commands import COMMANDS, Access
from core.conversation.events import EventKind
from core.deadlines import VN_TZ
from core.types import Platform, Role
from models import tables as t
from models.repos.agencies import SqlAgencies
from tests.chat_harness import Harness, make_harness
from tests.conftest import Database
from tests.factories import invite_code, submit
from tests.report_documents import pdf_report
from tests.snapshot import snapshot

NOW = datetime(2023, 4, 10, 9, 0, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


async def invite(db: Database, agency: str, role: Role, valid: timedelta = timedelta(days=7)) -> str:
    return await invite_code(db, agency, role, valid)


@pytest.fixture
async def h(loaded: Database) -> Harness:
    return make_harness(loaded)


# ------------------------------------------------------------------ registration


async def test_register_by_code_greets_by_name_and_agency(h: Harness) -> None:
    code = await invite(h.db, "TTRA", Role.FOCAL)
    p = h.person("101", "Nguyễn Văn An")
    await p.say(f"/start {code.lower()}")
    assert "Chào mừng đồng chí Nguyễn Văn An (Thanh tra tỉnh)" in p.text
    assert "vai trò đầu mối" in p.text and "/nhiemvu" in p.text
    await p.say(f"/dangky {code}")
    assert "đã đăng ký" in p.text


async def test_wrong_used_and_expired_codes_get_their_reason(h: Harness) -> None:
    code = await invite(h.db, "STP", Role.FOCAL)
    await h.person("1", "A").say(f"/dangky {code}")
    used = h.person("2", "B")
    await used.say(f"/dangky {code}")
    assert "đã được sử dụng" in used.text
    await used.say("/dangky KHONGCOMA000000")
    assert "không hợp lệ" in used.text
    old = await invite(h.db, "STP", Role.FOCAL, valid=timedelta(seconds=-1))
    await used.say(f"/dangky {old}")
    assert "đã hết hạn" in used.text
    await used.say("/dangky")
    assert "/dangky" in used.text
    async with h.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.ChatAccount)) == 1


@pytest.mark.parametrize(
    "command",
    [
        *(f"/{c.name}" for c in COMMANDS if c.access is not Access.ANYONE and c.name != "huy"),
        "xin chào",
        "1",
        "/huy",
        "da nop",
    ],
)
async def test_unregistered_people_only_learn_how_to_register(h: Harness, command: str) -> None:
    p = h.person("999", "Khách")
    await p.say(command)
    assert "chưa đăng ký" in p.text and "/dangky" in p.text
    assert not any(r.choices for r in p.last)


async def test_start_without_code(h: Harness) -> None:
    p = h.person("5", "X")
    await p.say("/start")
    assert "chưa đăng ký" in p.text


# ------------------------------------------------------------------ permissions


@pytest.mark.parametrize("role", [Role.FOCAL, Role.LEADER])
@pytest.mark.parametrize("command", [c.name for c in COMMANDS if c.access is Access.ADMIN])
async def test_admin_commands_are_refused_to_others(h: Harness, role: Role, command: str) -> None:
    p = await h.registered("7", "Trần Thị Bé", "STP", role)
    before = await snapshot(h.db.engine)
    await p.say(f"/{command}")
    assert "chỉ dành cho quản trị viên Sở Nội vụ" in p.text
    assert await snapshot(h.db.engine) == before


async def test_leaders_and_admins_can_use_personal_commands(h: Harness) -> None:
    leader = await h.registered("l", "Người l", "STP", Role.LEADER)
    await leader.say("/hanbaocao")
    assert "Báo cáo tháng 4/2023" in leader.text
    admin = await h.registered("a", "Người a", "SNV", Role.ADMIN)
    await admin.say("/hanbaocao")  # Sở Nội vụ compiles plan 46's reports: it owes none of them (issue 23)
    assert "Sở Nội vụ không có báo cáo nào đến hạn" in admin.text


async def test_help_shows_admin_commands_to_admins_only(h: Harness) -> None:
    focal = await h.registered("f", "F", "STP", Role.FOCAL)
    await focal.say("/help")
    assert "/danop" in focal.text and "/tonghop" not in focal.text
    admin = await h.registered("a", "A", "SNV", Role.ADMIN)
    await admin.say("/huongdan")
    assert "/tonghop" in admin.text and "/thongbao_ds" in admin.text
    # Issue 23: the service speaks as the office's system, never as a "bot".
    assert admin.text.startswith("Hệ thống nhắc việc của Sở Nội vụ:")
    assert "bot" not in admin.text.lower() and "bot" not in focal.text.lower()
    await focal.say("xin chào")
    assert "Hệ thống chưa nhận dạng được yêu cầu của đồng chí" in focal.text and "bot" not in focal.text.lower()


async def test_group_chats_get_a_short_explanation(h: Harness) -> None:
    p = await h.registered("g", "G", "STP", Role.FOCAL)
    group = h.person("g", "G", private=False)
    await group.say("/nhiemvu")
    assert "nhắn tin riêng" in group.text
    assert p.sender.user_id == group.sender.user_id


# ------------------------------------------------------------------ tasks and deadlines


async def test_tasks_are_the_agencys_own(h: Harness) -> None:
    ttra = await h.registered("t", "Thanh", "TTRA", Role.FOCAL)
    await ttra.say("/nhiemvu")
    assert "Nhiệm vụ của Thanh tra tỉnh" in ttra.text and "Kế hoạch số 46/KH-UBND" in ttra.text
    assert "III.7 (đoạn 1)" in ttra.text and "II.11" in ttra.text and "III.1 " not in ttra.text
    assert "Chủ trì:" in ttra.text and "Thực hiện:" in ttra.text and "Phối hợp:" in ttra.text
    lead, rest = ttra.text.split("Chủ trì:")[1].split("Thực hiện:")
    assert "III.7 (đoạn 1)" in lead and "II.1 —" not in lead and "II.1 —" in rest  # section II: carry out
    await ttra.press("III.7 (đoạn 1)")
    assert "tiếp công dân, giải quyết khiếu nại, tố cáo, phòng, chống tham nhũng" in ttra.text
    await ttra.say("/nhiemvu III.7")  # the item: both its paragraphs
    assert "mục III.7 (đoạn 1) (chủ trì)" in ttra.text
    assert "mục III.7 (đoạn 2) (thực hiện)" in ttra.text
    await ttra.say("/nhiemvu III.7b")  # refs the plan does not have
    assert "Không có nhiệm vụ III.7b" in ttra.text

    snv = await h.registered("s", "Sáu", "SNV", Role.FOCAL)
    await snv.say("/tasks")
    assert "III.1 (đoạn 4)" in snv.text and "III.7 (đoạn 1)" in snv.text  # SNV coordinates III.7 (đoạn 1)
    before = snv.last
    await snv.press_token(before[0].choices[0].token)
    assert "II.1" in snv.text


async def test_deadlines_show_weekday_days_left_and_wording(h: Harness) -> None:
    p = await h.registered("d", "D", "UBND-NH", Role.FOCAL)
    await p.say("/hanbaocao")
    # Grouped under its plan; the Saturday is given as the Monday the law runs it to, days counted to it (issue 30).
    assert "\nKế hoạch số 46/KH-UBND về thực hiện công tác dân vận chính quyền năm 2023" in p.text
    assert (
        "• Báo cáo tháng 4/2023 — hạn chót thứ Hai, 17/4/2023, vì ngày 15/4/2023 là thứ Bảy, theo Điều 148: "
        "chưa nộp — còn 7 ngày" in p.text
    )
    assert "Báo cáo 6 tháng đầu năm 2023" in p.text  # opens 1/5, within the coming weeks


async def test_on_the_sunday_after_a_saturday_deadline_the_time_still_runs(
    h: Harness, frozen: time_machine.Traveller
) -> None:
    p = await h.registered("d2", "D", "UBND-NH", Role.FOCAL)
    frozen.move_to(datetime(2023, 4, 16, 9, 0, tzinfo=VN_TZ))
    h.conversation.clock = lambda: datetime(2023, 4, 16, 9, 0, tzinfo=VN_TZ)
    await p.say("/hanbaocao")
    april = next(line for line in p.text.splitlines() if "Báo cáo tháng 4/2023" in line)
    assert "hạn chót thứ Hai, 17/4/2023, vì ngày 15/4/2023 là thứ Bảy, theo Điều 148: chưa nộp — còn 1 ngày" in april


# ------------------------------------------------------------------ /danop, /huynop, /trangthai


async def test_submit_with_buttons_document_number_and_file(h: Harness, frozen: time_machine.Traveller) -> None:
    p = await h.registered("s1", "Lê Văn Sơn", "STP", Role.FOCAL)
    await p.say("/danop")
    assert "Đồng chí xác nhận Sở Tư pháp đã gửi báo cáo kỳ nào" in p.text
    await p.press("Báo cáo tháng 4/2023")
    assert "Báo cáo tháng 4/2023 — hạn chót thứ Bảy, 15/4/2023." in p.text
    await p.say("số 125/bc-stp")
    assert "Số văn bản: 125/BC-STP" in p.text
    await p.send_file("file-abc", "bao-cao-thang-4.pdf", pdf_report("Sở Tư pháp", "125/BC-STP"))
    assert "Đã nhận tệp báo cáo: bao-cao-thang-4.pdf" in p.text
    await p.press("Xác nhận đã nộp")
    assert "Đã đính kèm tệp báo cáo" in p.text
    assert "Đã ghi nhận: Sở Tư pháp nộp báo cáo tháng 4/2023 lúc 09:00 thứ Hai, 10/4/2023 — đúng hạn." in p.text
    assert "Số văn bản: 125/BC-STP" in p.text and "dừng" in p.text
    async with h.db.sessions() as s:
        sub = await s.scalar(select(t.Submission))
        assert sub and sub.document_number == "125/BC-STP" and sub.report_file_id is not None and not sub.late
    await p.say("/danop 2023-04")
    assert "không còn phải nộp" in p.text or "không phải là kỳ" in p.text

    frozen.move_to(NOW + timedelta(hours=2))
    await p.say("/huynop")
    await p.press("Báo cáo tháng 4/2023")
    assert "Đã hủy xác nhận nộp báo cáo tháng 4/2023" in p.text
    await p.say("/trangthai")
    assert "Chưa có báo cáo nào của Sở Tư pháp đến hạn" in p.text


async def test_submit_by_argument_and_late_receipt(h: Harness, frozen: time_machine.Traveller) -> None:
    # April's deadline, Saturday 15/4/2023, ran to the end of Monday 17/4 (Điều 148): Tuesday is late.
    frozen.move_to(datetime(2023, 4, 18, 10, 0, tzinfo=VN_TZ))
    p = await h.registered("s2", "Sơn", "STP", Role.FOCAL)
    await p.say("/danop thang:2023-04")
    await p.press("Xác nhận đã nộp")
    assert "— muộn." in p.text
    await p.say("/trangthai")
    assert "Báo cáo tháng 4/2023: đã gửi chậm lúc 10:00 thứ Ba, 18/4/2023" in p.text
    frozen.move_to(datetime(2023, 4, 19, 11, 0, tzinfo=VN_TZ))
    await p.say("/huynop")
    assert "Không có xác nhận nào trong 24 giờ qua" in p.text


async def test_confirm_button_cannot_be_pressed_twice(h: Harness) -> None:
    p = await h.registered("s3", "Sơn", "STP", Role.FOCAL)
    await p.say("/danop 2023-04")
    token = next(c.token for c in p.last[0].choices if c.label == "Xác nhận đã nộp")
    await p.press_token(token)
    await p.press_token(token)
    assert "đã được sử dụng" in p.text
    async with h.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.Submission)) == 1


async def test_numbered_picks_work_on_channels_without_buttons(h: Harness) -> None:
    code = await invite(h.db, "STP", Role.FOCAL)
    p = h.person("c1", "Console", platform=Platform.CONSOLE)
    await p.say(f"/dangky {code}")
    await p.say("/danop")
    await p.say("1")
    assert "Báo cáo tháng 4/2023 — hạn chót" in p.text
    await p.say("1")
    assert "Đã ghi nhận" in p.text
    await p.say("7")
    assert "Không có danh sách" in p.text or "không có mục 7" in p.text


async def test_language_switch(h: Harness) -> None:
    p = await h.registered("e", "Em", "STP", Role.FOCAL)
    await p.say("/language")
    await p.press("English")
    assert "Language set: English." in p.text
    await p.say("/deadlines")
    assert (
        "Reports of Sở Tư pháp" in p.text and "Monday, 17/4/2023, as 15/4/2023 is Saturday, under Article 148" in p.text
    )
    await p.say("/ngonngu")
    await p.press("Tiếng Việt")
    assert "Tiếng Việt" in p.text


# ------------------------------------------------------------------ admin


async def test_overview_and_nudge(h: Harness) -> None:
    admin = await h.registered("adm", "Phạm Quản Trị", "SNV", Role.ADMIN)
    stp = await h.registered("stp", "Sơn", "STP", Role.FOCAL)
    nh = await h.registered("nh", "Dung", "UBND-NH", Role.FOCAL)
    await stp.say("/danop 2023-04")
    await stp.press("Xác nhận đã nộp")
    await admin.say("/tonghop 2023-04")
    assert "Đúng hạn (1): Sở Tư pháp" in admin.text and "Chưa gửi (23)" in admin.text
    await admin.say("/nhacnho 2023-04")  # who, for which plan and period; nothing sent before it is confirmed
    assert "theo Kế hoạch số 46/KH-UBND (23 cơ quan, 1 cơ quan có người nhận tin)" in admin.text, admin.text
    await h.sender.drain_once()
    assert h.channel.sent == []
    await admin.press("Nhắc ngay")
    assert "1 cán bộ đầu mối của 23 cơ quan" not in admin.text
    assert "Đang gửi nhắc nhở tới 1 cán bộ đầu mối" in admin.text
    assert "22 cơ quan chưa có cán bộ đầu mối đăng ký" in admin.text
    await h.sender.drain_once()
    assert [c for c, _ in h.channel.sent] == [nh.sender.chat_id]
    assert "còn 7 ngày" in h.channel.sent[0][1]  # to Monday 17/4, the day the law runs the Saturday to
    await admin.say("/tonghop 2099-01")
    assert "Không có kỳ báo cáo" in admin.text


async def test_broadcast_reaches_everyone_and_counts_acknowledgements(h: Harness) -> None:
    admin = await h.registered("adm", "Phạm Quản Trị", "SNV", Role.ADMIN)
    a = await h.registered("a", "An", "STP", Role.FOCAL)
    b = await h.registered("b", "Bình", "UBND-NH", Role.LEADER)
    await admin.say("/thongbao")
    await admin.say("Đề nghị các cơ quan gửi báo cáo tháng 4 đúng hạn. <b>Trân trọng</b>")
    await admin.press("Tất cả")
    assert "25 cơ quan (3 tài khoản)" in admin.text and "<b>Trân trọng</b>" in admin.text
    await admin.press("Gửi")
    assert "tới 3 tài khoản" in admin.text
    stats = await h.sender.drain_once()
    assert stats.sent == 3
    copy = h.channel.to("a")[0]
    assert "Thông báo của Sở Nội vụ" in copy and "Đề nghị các cơ quan" in copy
    async with h.db.sessions() as s:
        account = await h.account(a)
        assert account is not None
        delivery = await s.scalar(select(t.Delivery).where(t.Delivery.account_id == account.account_id))
        assert delivery and delivery.choices and delivery.choices[0][0] == "Đã nhận"
        token = delivery.choices[0][1]
    await b.press_token(token)  # someone else's button
    assert "không dành cho đồng chí" in b.text
    await a.press_token(token)
    assert "Đã ghi nhận đồng chí đã nhận thông báo" in a.text
    await admin.say("/thongbao_ds")
    assert "đã gửi 3/3, đã nhận 1" in admin.text
    assert "Chưa xác nhận: Phạm Quản Trị (Sở Nội vụ); Bình (Ủy ban nhân dân huyện Na Hang)" in admin.text


async def test_broadcast_to_chosen_agencies_and_cancel(h: Harness) -> None:
    admin = await h.registered("adm", "Quản Trị", "SNV", Role.ADMIN)
    await admin.say("/thongbao Họp giao ban lúc 14:00")
    await admin.press("Chọn cơ quan")
    await admin.say("STP, KHONGCO")
    assert "Mã cơ quan không đúng: KHONGCO" in admin.text
    await admin.say("stp; ubnd-nh")
    assert "2 cơ quan" in admin.text
    await admin.press("Hủy")
    assert "Đã hủy" in admin.text
    async with h.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.Notice)) == 0


async def test_adhoc_request_becomes_a_period(h: Harness) -> None:
    admin = await h.registered("adm", "Quản Trị", "SNV", Role.ADMIN)
    stp = await h.registered("stp", "Sơn", "STP", Role.FOCAL)
    await admin.say("/dotxuat Tình hình mưa lũ")
    await admin.press("Các sở, ban, ngành")
    await admin.say("32/13/2023")
    assert "không phải là ngày" in admin.text and "thứ Sáu tuần sau" in admin.text  # with examples
    await admin.say("05/04/2023")
    assert "từ hôm nay trở đi" in admin.text
    await admin.say("31/12/9999")  # issue 12, finding 10: no period that sits in every digest for ages
    assert "trong vòng một năm" in admin.text
    await admin.say("14/04/2023")
    assert "thứ Sáu, 14/4/2023" in admin.text and "18 cơ quan" in admin.text
    await admin.press("Gửi yêu cầu")
    assert "Đã tạo báo cáo đột xuất: Tình hình mưa lũ" in admin.text
    await h.sender.drain_once()
    assert "báo cáo đột xuất: Tình hình mưa lũ" in h.channel.to("stp")[0]
    await stp.say("1")  # the request's own "1. Đã nộp báo cáo"
    assert "Đã ghi nhận: Sở Tư pháp nộp báo cáo đột xuất: Tình hình mưa lũ" in stp.text
    await stp.say("/huynop")
    await stp.press(stp.last[0].choices[0].label)
    assert "Đã hủy xác nhận" in stp.text
    await stp.say("/danop")
    assert any(c.label == "Báo cáo đột xuất: Tình hình mưa lũ" for c in stp.last[0].choices)


async def test_an_adhoc_deadline_said_in_words_is_shown_back_before_it_is_saved(
    h: Harness, frozen: time_machine.Traveller
) -> None:
    wednesday = datetime(2026, 12, 9, 9, 0, tzinfo=VN_TZ)
    frozen.move_to(wednesday)
    h.conversation.clock = lambda: wednesday
    admin = await h.registered("adm", "Quản Trị", "SNV", Role.ADMIN)
    await admin.say("/dotxuat Tình hình thực hiện chuyển đổi số")
    await admin.press("Các sở, ban, ngành")
    await admin.say("thứ Sáu tuần sau")
    assert "hạn chót thứ Sáu, 18/12/2026 (“thứ Sáu tuần sau”)" in admin.text, admin.text
    async with h.db.sessions() as s:
        assert await s.scalar(select(func.count()).where(t.ReportPeriod.label.like("%chuyển đổi số%"))) == 0
    await admin.press("Gửi yêu cầu")
    async with h.db.sessions() as s:
        saved = await s.scalar(select(t.ReportPeriod).where(t.ReportPeriod.label.like("%chuyển đổi số%")))
    assert saved is not None and saved.due_at.astimezone(VN_TZ).date() == date(2026, 12, 18)


async def test_export_is_an_excel_workbook(h: Harness) -> None:
    admin = await h.registered("adm", "Quản Trị", "SNV", Role.ADMIN)
    son = await h.registered("s1", "Lê Văn Sơn", "STP", Role.FOCAL)  # Sở Tư pháp confirms with its file
    await son.say("/danop 2023-04")
    await son.send_file("f1", "BC T4.pdf", pdf_report("Sở Tư pháp", "125/BC-STP"))
    await son.press("Xác nhận đã nộp")
    await admin.say("/xuat 2023-04")
    doc = admin.last[0].document
    assert doc and doc.filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(doc.data))
    rows = list(wb["Chi tiết"].iter_rows(values_only=True))
    assert rows[0][:6] == ("Kế hoạch", "Kỳ báo cáo", "Hạn chót", "Mã cơ quan", "Cơ quan, đơn vị", "Tình trạng")
    assert len(rows) == 25 and rows[1][5] == "Chưa đến hạn"  # the harness is on 10/4/2023
    assert rows[0][7:9] == ("Số văn bản", "Tệp báo cáo")
    assert next(r for r in rows if r[3] == "STP")[5:9:3] == ("Đúng hạn", "BC T4.pdf")
    assert rows[1][:2] == ("Kế hoạch số 46/KH-UBND", "Báo cáo tháng 4/2023")  # a period always with its plan
    summary = list(wb["Tổng hợp"].iter_rows(values_only=True))
    assert summary[1][:7] == ("Kế hoạch số 46/KH-UBND", "Báo cáo tháng 4/2023", 1, 0, 0, 23, 24)


async def test_invite_from_chat(h: Harness) -> None:
    admin = await h.registered("adm", "Quản Trị", "SNV", Role.ADMIN)
    await admin.say("/moi STP leader")
    assert "lãnh đạo Sở Tư pháp" in admin.text and "https://t.me/nhacviec_test_bot?start=" in admin.text
    code = admin.text.split("https://t.me/nhacviec_test_bot?start=")[1].strip()
    newcomer = h.person("n", "Lãnh Đạo")
    await newcomer.say(f"/start {code}")
    assert "lãnh đạo cơ quan" in newcomer.text
    await admin.say("/moi STP dau_moi Nguyễn Văn A, Chuyên viên Văn phòng Sở")
    assert "Mã đăng ký cho đồng chí Nguyễn Văn A, Chuyên viên Văn phòng Sở, đầu mối Sở Tư pháp" in admin.text
    named = admin.text.split("https://t.me/nhacviec_test_bot?start=")[1].strip()
    person = h.person("a", "Tuấn Anh 🌸")  # the chat nickname is not how Sở Nội vụ addresses a person
    await person.say(f"/start {named}")
    assert "Chào mừng đồng chí Nguyễn Văn A, Chuyên viên Văn phòng Sở (Sở Tư pháp)" in person.text
    assert "Tuấn Anh" not in person.text
    for bad in ("/moi", "/moi XYZ", "/moi a b c"):
        await admin.say(bad)
        assert "/moi" in admin.text or "Không có cơ quan" in admin.text


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("kind", "kwargs", "expected"),
    [
        (EventKind.COMMAND, {"command": "xoasach", "args": ""}, "Không có lệnh /xoasach"),
        (EventKind.TEXT, {"text": "xin chào bot 👋"}, "chưa nhận dạng được yêu cầu"),
        (EventKind.TEXT, {"text": "x" * 10_000}, "quá dài"),
        (EventKind.CHOICE, {"token": "forged-token-123"}, "không hợp lệ hoặc đã hết hạn"),
        (EventKind.CHOICE, {"token": ""}, "không hợp lệ hoặc đã hết hạn"),
        (EventKind.EDITED, {"text": "/danop"}, "tin nhắn đã sửa"),
        (EventKind.UNSUPPORTED, {}, "chỉ nhận được tin nhắn chữ"),
        (EventKind.FILE, {"file": None}, "trước hết chọn báo cáo bằng /danop"),
        (EventKind.COMMAND, {"command": "danop", "args": "kỳ-không-có"}, "không phải là kỳ"),
        (EventKind.COMMAND, {"command": "nhiemvu", "args": "\u202e\u0000"}, "Nhiệm vụ của Sở Tư pháp"),
    ],
)
async def test_bad_input_gets_a_polite_answer_and_changes_nothing(
    h: Harness, kind: EventKind, kwargs: dict[str, object], expected: str
) -> None:
    from core.conversation.events import FileRef

    p = await h.registered("b1", "Bảo", "STP", Role.FOCAL)
    if kind is EventKind.FILE:
        kwargs = {"file": FileRef("photo-1", None)}
    before = await snapshot(h.db.engine)
    await p.event(kind, **kwargs)
    assert expected in p.text, p.text
    after = await snapshot(h.db.engine)
    assert {k: v for k, v in after.items() if k != "pending_choice"} == {
        k: v for k, v in before.items() if k != "pending_choice"
    }


async def test_expired_choice_is_refused(h: Harness, frozen: time_machine.Traveller) -> None:
    p = await h.registered("x", "X", "STP", Role.FOCAL)
    await p.say("/danop")
    token = p.last[0].choices[0].token
    frozen.move_to(NOW + timedelta(days=2))
    await p.press_token(token)
    assert "không hợp lệ hoặc đã hết hạn" in p.text


async def test_nfd_vietnamese_and_aliases(h: Harness) -> None:
    admin = await h.registered("adm", "Quản Trị", "SNV", Role.ADMIN)
    label = unicodedata.normalize("NFD", "Báo cáo tháng 4/2023")
    await admin.say(f"/overview {label}")
    assert "Báo cáo tháng 4/2023 (KH 46/KH-UBND) — hạn chót" in admin.text
    await admin.say("/TongHop@nhacviec_test_bot 2023-04")
    assert "Chưa gửi (24)" in admin.text


async def test_unexpected_errors_are_logged_and_answered(
    h: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = await h.registered("err", "Lỗi", "STP", Role.FOCAL)

    async def broken(*args: object) -> object:
        raise RuntimeError("database went away")

    monkeypatch.setattr(SqlAgencies, "tasks_of", broken)  # a fault injected into the real repository
    await p.say("/nhiemvu")
    assert "Đã có lỗi xảy ra" in p.text
    assert "database went away" in caplog.text and "telegram:err" in caplog.text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("nhiem vu", "Nhiệm vụ của Sở Tư pháp"),
        ("Nhiệm vụ III.3", "mục III.3 (thực hiện)"),
        ("NHIEMVU", "Nhiệm vụ của Sở Tư pháp"),
        ("đã nộp", "Đồng chí xác nhận Sở Tư pháp đã gửi báo cáo kỳ nào"),
        ("han bao cao", "Các kỳ báo cáo của Sở Tư pháp"),
        ("tong hop", "chỉ dành cho quản trị viên"),
        ("huong dan", "/danop"),
    ],
)
async def test_commands_typed_as_plain_words(h: Harness, typed: str, expected: str) -> None:
    p = await h.registered("w", "Văn", "STP", Role.FOCAL)
    await p.say(typed)
    assert expected in p.text


async def test_plain_words_inside_a_flow_are_the_flows_text(h: Harness) -> None:
    admin = await h.registered("adm", "Quản Trị", "SNV", Role.ADMIN)
    await admin.say("/thongbao")
    await admin.say("Thông báo họp giao ban sáng thứ Hai")  # starts like "thong bao", but it is the notice
    assert "Gửi tới ai?" in admin.text


async def test_channel_and_link(h: Harness) -> None:
    zalo = h.person("z1", "Lê Văn Sơn", platform=Platform.ZALO)
    await zalo.say(f"/dangky {await invite(h.db, 'STP', Role.FOCAL)}")
    await zalo.say("/kenh")
    assert "mới có một tài khoản" in zalo.text
    await zalo.say("/lienket")
    code = zalo.text.split("/dangky ")[1].split()[0]
    tg = h.person("t1", "Sơn")
    await tg.say(f"/start {code}")
    assert "Đã liên kết: đồng chí Lê Văn Sơn (Sở Tư pháp)" in tg.text
    await tg.say(f"/start {code}")
    assert "đã đăng ký" in tg.text
    await tg.say("/kenh")
    await tg.press("Telegram")
    assert "Từ nay tin nhắc sẽ gửi qua Telegram" in tg.text
    async with h.db.uows() as uow:
        (only,) = await uow.accounts.recipients(Role.FOCAL, ("STP",))
    async with h.db.sessions() as s:
        people = (await s.scalars(select(t.Person))).all()
        assert len(people) == 1
        acc = await s.get(t.ChatAccount, only.account_id)
        assert acc is not None and acc.platform == "telegram"  # one person, one reminder, preferred channel


async def test_a_report_months_late_can_still_be_confirmed(h: Harness, frozen: time_machine.Traveller) -> None:
    p = await h.registered("late", "Lò Văn Muộn", "UBND-LB", Role.FOCAL)
    frozen.move_to(datetime(2023, 8, 1, 9, 0, tzinfo=VN_TZ))
    await p.say("/hanbaocao")
    lines = p.text.splitlines()
    april = next(i for i, line in enumerate(lines) if "Báo cáo tháng 4/2023" in line)
    august = next(i for i, line in enumerate(lines) if "Báo cáo tháng 8/2023" in line)
    assert april < august  # overdue ones first, the oldest first
    # 15/4 (Saturday) ran to Monday 17/4 (Điều 148) → 1/8: 9 + 20 (1–3/5 off) + 22 + 21 + 1 working days.
    assert "Báo cáo tháng 4/2023" in lines[april] and "chưa nộp — quá hạn 73 ngày làm việc" in lines[april]

    await p.say("/danop")
    offered = [c.label for c in p.last[0].choices]
    assert offered[0] == "Báo cáo tháng 8/2023" and len(offered) == 5 and offered[-1].startswith("Các kỳ cũ hơn")
    assert "Báo cáo tháng 4/2023 (quá hạn)" not in offered
    await p.press(offered[-1])
    assert "Báo cáo tháng 4/2023 (quá hạn)" in [c.label for c in p.last[0].choices]
    await p.press("Báo cáo tháng 4/2023 (quá hạn)")
    assert "ví dụ 125/BC-UBND" in p.text
    await p.press("Xác nhận đã nộp")
    assert "Đã ghi nhận: Ủy ban nhân dân huyện Lâm Bình nộp báo cáo tháng 4/2023" in p.text and "muộn" in p.text
    async with h.db.sessions() as s:
        sub = await s.scalar(select(t.Submission).where(t.Submission.undone_at.is_(None)))
    assert sub is not None and sub.late is True
    await p.say("/hanbaocao")
    assert "Báo cáo tháng 4/2023" not in p.text


async def test_a_plan_that_ended_long_ago_is_no_longer_chased(loaded: Database, frozen: time_machine.Traveller) -> None:
    """Issue 23, point 10: in December 2026, /hanbaocao of Sở Tư pháp does not call plan 46's periods of 2023
    overdue; it lists them once, under the plans that have ended, as never sent."""
    await submit(loaded, "STP", "thang:2023-04", datetime(2023, 4, 14, 9, tzinfo=VN_TZ))
    december = datetime(2026, 12, 7, 9, 0, tzinfo=VN_TZ)
    frozen.move_to(december)
    h = make_harness(loaded, december)
    stp = await h.registered("stp-dec", "Sơn", "STP", Role.FOCAL)
    await stp.say("/hanbaocao")
    assert "quá hạn" not in stp.text and "ngày làm việc" not in stp.text
    assert stp.text.startswith("Sở Tư pháp không có báo cáo nào đến hạn trong những tuần tới.")
    assert "Kế hoạch đã kết thúc (không còn nhắc):" in stp.text
    ended = next(line for line in stp.text.splitlines() if line.startswith("• Kế hoạch số 46/KH-UBND"))
    assert "Báo cáo tháng 5/2023" in ended and "Báo cáo năm 2023" in ended
    assert "Báo cáo tháng 4/2023" not in ended  # it was sent

    # Within 90 days of the plan's last deadline (25/11/2023) April is still chased as overdue.
    frozen.move_to(datetime(2023, 12, 20, 9, 0, tzinfo=VN_TZ))
    h = make_harness(loaded, datetime(2023, 12, 20, 9, 0, tzinfo=VN_TZ))
    late = await h.registered("stp-2023", "Sơn", "STP", Role.FOCAL)
    await late.say("/hanbaocao")
    assert "Báo cáo tháng 5/2023" in late.text and "Kế hoạch đã kết thúc" not in late.text


async def test_a_nudge_with_nobody_to_remind_says_so(h: Harness) -> None:
    """Issue 23, point 5: not "Đang gửi nhắc nhở tới 0 cán bộ đầu mối của 0 cơ quan …"."""
    admin = await h.registered("a-nudge", "A", "SNV", Role.ADMIN)
    await admin.say("/nhacnho 2023-04")
    await admin.press("Nhắc ngay")
    assert admin.text == (
        "Không có cán bộ đầu mối nào để nhắc: 24 cơ quan chưa gửi báo cáo tháng 4/2023 đều chưa đăng ký cán bộ đầu mối."
    )
    async with h.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(t.Delivery)) == 0  # nothing queued
