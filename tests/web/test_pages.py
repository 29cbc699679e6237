"""What the dashboard's pages do, over ASGI against the real routes, core and database (no browser): the matrix and
the trends page agree on every count; invites work in chat and deactivation ends a person's use of the bot; a
plan is previewed without a write and then loaded; a calendar change is previewed, then applied; a notice is
previewed, sent, delivered and acknowledged. The chat platform behind the outbox is a recording channel (the only
fake)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime

import httpx
import pytest
import time_machine
from docx import Document
from sqlalchemy import func, select
from starlette.applications import Starlette

from core import registry
from core.conversation.engine import Conversation
from core.conversation.events import EventKind, Incoming, Sender
from core.deadlines import VN_TZ, utcnow
from core.types import OPERATOR, Platform, Role
from core.usecases import matrix as matrix_usecase
from core.usecases import province, web_access
from core.usecases.rules import Rules
from models import tables as t
from nhacviec.notifier import ServiceNotifier
from scheduler.sender import OutboxSender
from tests.conftest import PLAN_46, Database
from tests.factories import add_person, submit
from tests.fakes import RecordingChannel
from tests.report_documents import pdf_report
from web.app import dashboard_routes


@dataclass
class Admin:
    db: Database
    client: httpx.AsyncClient
    csrf: str
    conversation: Conversation

    async def post(self, path: str, **form: str) -> httpx.Response:
        return await self.client.post(path, data={"csrf": self.csrf, **form})


@pytest.fixture
async def admin(loaded: Database) -> AsyncIterator[Admin]:
    app = Starlette(routes=dashboard_routes(loaded.uows, Rules(), "pages-test-secret-key"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dashboard") as client:
        async with loaded.uows() as uow:
            token = await web_access.operator_link(uow, "SNV", Role.ADMIN, "Quản trị viên", utcnow())
            await uow.commit()
        assert (await client.get("/dang-nhap", params={"t": token})).status_code == 303
        page = (await client.get("/can-bo")).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf is not None
        yield Admin(
            loaded, client, csrf.group(1), Conversation(loaded.uows, ServiceNotifier(OutboxSender(loaded.uows, {})))
        )


def _counts(html: str, pattern: str) -> dict[str, tuple[int, int, int, int]]:
    """Period id → (on time, late, overdue, not yet due) as a page shows them."""
    found = {}
    for period_id, block in re.findall(pattern, html, re.S):
        numbers = [
            int(re.search(rf'class="{name}">(\d+)<', block).group(1))  # type: ignore[union-attr]
            for name in ("n-on-time", "n-late", "n-missing", "n-not-due")
        ]
        found[period_id] = (numbers[0], numbers[1], numbers[2], numbers[3])
    return found


async def test_the_matrix_and_the_trends_page_agree_on_every_count(admin: Admin) -> None:
    await submit(admin.db, "STP", "2023-04", datetime(2023, 4, 14, 9, 30, tzinfo=VN_TZ))  # on time
    await submit(admin.db, "SYT", "2023-04", datetime(2023, 4, 19, 10, 0, tzinfo=VN_TZ))  # late
    await submit(admin.db, "STC", "2023-05", datetime(2023, 5, 15, 10, 0, tzinfo=VN_TZ))  # on time
    matrix = (await admin.client.get("/")).text
    trends = (await admin.client.get("/xu-huong")).text
    in_matrix = _counts(matrix, r'<td data-period="(\d+)">(.*?)</td>')
    in_trends = _counts(trends, r'<tr data-period="(\d+)">(.*?)</tr>')
    assert len(in_matrix) == 11 and in_matrix == in_trends  # the 11 periods of plan 46, the same four counts
    april = next(v for v in in_matrix.values() if v[:2] == (1, 1))
    assert april == (1, 1, 22, 0)  # 2023 is long past: nobody's report is still "not yet due"
    assert "✓ đúng hạn" in matrix and "⚠ gửi chậm +2 ngày" in matrix  # 19/4, after a deadline run to Monday 17/4
    # Columns are named as officials name the periods (issue 23), not by their keys.
    heads = re.findall(r'<th scope="col" title="[^"]*" data-key="([^"]+)">([^<]+)<br>', matrix)
    assert ("2023-04", "Tháng 4/2023") in heads and ("2023-H1", "6 tháng đầu năm 2023") in heads
    assert ("2023", "Năm 2023") in heads


async def test_a_long_matrix_is_paged_and_every_page_counts_every_agency(
    admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 24, finding 4: a province of thousands is shown a page of agencies at a time (here 10 a page for the
    24 owing plan 46), while the counts, the group sizes and the trends' ranking still cover all of them."""
    monkeypatch.setattr(matrix_usecase, "PAGE_ROWS", 10)
    await submit(admin.db, "STP", "2023-04", datetime(2023, 4, 14, 9, 30, tzinfo=VN_TZ))
    pages = [(await admin.client.get("/", params={"trang": str(n)})).text for n in (1, 2, 3)]
    codes = [re.findall(r'data-agency="([A-Z0-9-]+)"', page) for page in pages]
    assert [len(c) for c in codes] == [10, 10, 4] and len({c for page in codes for c in page}) == 24
    assert all(
        _counts(p, r'<td data-period="(\d+)">(.*?)</td>') == _counts(pages[0], r'<td data-period="(\d+)">(.*?)</td>')
        for p in pages
    )
    groups = [re.findall(r'scope="rowgroup"[^>]*>([^<]+)<', p) for p in pages]
    departments, districts = "Các sở, ban, ngành (17)", "Ủy ban nhân dân huyện, thành phố (7)"
    assert groups == [[departments], [departments, districts], [districts]]  # each group's size, not the page's
    assert 'aria-current="page">2<' in pages[1] and "trang=3" in pages[1] and "24 cơ quan" in pages[1]
    beyond = (await admin.client.get("/", params={"trang": "99"})).text
    assert re.findall(r'data-agency="([A-Z0-9-]+)"', beyond) == codes[2]  # past the end: the last page
    ranking = (await admin.client.get("/xu-huong")).text.count("<li>")
    assert ranking == 24


async def test_a_leader_sees_their_own_agency_only(admin: Admin) -> None:
    async with admin.db.uows() as uow:
        token = await web_access.operator_link(uow, "STP", Role.LEADER, "Lãnh đạo Sở Tư pháp", utcnow())
        await uow.commit()
    async with httpx.AsyncClient(transport=admin.client._transport, base_url="http://dashboard") as leader:
        await leader.get("/dang-nhap", params={"t": token})
        page = (await leader.get("/")).text
    assert re.findall(r'data-agency="([A-Z-]+)"', page) == ["STP"]
    assert "Xuất Excel" not in page  # no export for a leader


async def test_an_invite_works_in_chat_and_deactivation_ends_it(admin: Admin) -> None:
    made = await admin.post("/can-bo/moi", agency="STP", role="focal", name="Nguyễn Văn Minh", title="Chuyên viên")
    assert made.status_code == 200 and "Nguyễn Văn Minh, Chuyên viên" in made.text and "<svg" in made.text
    code = re.search(r'class="code">([A-Z0-9-]+)<', made.text)
    assert code is not None
    minh = Sender(Platform.TELEGRAM, "7022", "7022", "Minh")
    replies = await admin.conversation.handle(Incoming(minh, EventKind.COMMAND, "dangky", code.group(1)))
    assert "Chào mừng" in replies[0].text
    async with admin.db.uows() as uow:
        person = next(p for p in await uow.accounts.people(None) if p.name.startswith("Nguyễn Văn Minh"))
    assert (await admin.post("/can-bo/ngung", person=str(person.person_id))).status_code == 303
    assert "đã ngừng" in (await admin.client.get("/can-bo")).text
    gone = await admin.conversation.handle(Incoming(minh, EventKind.COMMAND, "nhiemvu"))
    assert "/dangky" in gone[0].text  # no longer registered: asked to register


async def test_an_admin_erases_a_persons_data_on_their_request(admin: Admin) -> None:
    """Issue 24: the people page erases a person's data once the box is ticked; the name is then nowhere on the
    page, the person no longer registered, and the admin cannot erase themselves there."""
    made = await admin.post("/can-bo/moi", agency="STP", role="focal", name="Hoàng Thị Xuyến", title="Chuyên viên")
    code = re.search(r'class="code">([A-Z0-9-]+)<', made.text)
    assert code is not None
    xuyen = Sender(Platform.ZALO, "z-88", "z-88", "Xuyến")
    await admin.conversation.handle(Incoming(xuyen, EventKind.COMMAND, "dangky", code.group(1)))
    async with admin.db.uows() as uow:
        person = next(p for p in await uow.accounts.people(None) if p.name == "Hoàng Thị Xuyến")
        me = next(p for p in await uow.accounts.people(None) if p.role is Role.ADMIN)
    page = (await admin.client.get("/can-bo")).text
    assert "Hoàng Thị Xuyến" in page and 'action="/can-bo/xoa-du-lieu"' in page
    unticked = await admin.post("/can-bo/xoa-du-lieu", person=str(person.person_id))
    assert unticked.status_code == 400 and "Hoàng Thị Xuyến" in (await admin.client.get("/can-bo")).text
    assert (await admin.post("/can-bo/xoa-du-lieu", person="987654", confirm="yes")).status_code == 404
    assert (await admin.post("/can-bo/xoa-du-lieu", person=str(me.person_id), confirm="yes")).status_code == 403
    done = await admin.post("/can-bo/xoa-du-lieu", person=str(person.person_id), confirm="yes")
    assert done.status_code == 303
    page = (await admin.client.get("/can-bo")).text
    assert "Hoàng Thị Xuyến" not in page and "Cán bộ đầu mối (đã xóa)" in page and "đã xóa dữ liệu" in page
    gone = await admin.conversation.handle(Incoming(xuyen, EventKind.COMMAND, "nhiemvu"))
    assert "/dangky" in gone[0].text


async def test_a_group_gets_one_code_per_agency_on_a_sheet_that_registers(admin: Admin) -> None:
    """Issue 22: the province's communes loaded, "Ủy ban nhân dân các xã, phường" gets 124 codes at once; a code
    from the sheet registers a focal person of its commune in chat."""
    async with admin.db.uows() as uow:
        await province.load(uow, OPERATOR, "Tuyên Quang", date(2025, 7, 1))
        await uow.commit()
    page = (await admin.client.get("/can-bo")).text
    assert 'value="@communes"' in page and "Ủy ban nhân dân các xã, phường" in page
    sheet = await admin.post("/can-bo/moi-nhom", group="@communes", role="focal")
    assert sheet.status_code == 200, sheet.text
    blocks = re.findall(r'<section class="sheet-block" data-agency="([A-Z0-9-]+)">', sheet.text)
    assert len(blocks) == 124 and len(set(blocks)) == 124 and sheet.text.count("<svg") == 124
    assert "Mã đăng ký: Ủy ban nhân dân các xã, phường (124)" in sheet.text
    assert "Gửi tới tài khoản Hệ thống nhắc việc của Sở Nội vụ tin nhắn: /dangky " in sheet.text
    minh_xuan = province.commune_code(
        next(c.code for c in registry.province("Tuyên Quang").communes if c.name == "Phường Minh Xuân")
    )
    block = sheet.text[sheet.text.index(f'data-agency="{minh_xuan}"') :]
    code = re.search(r'class="code">([A-Z0-9-]+)<', block)
    assert code is not None and "Ủy ban nhân dân phường Minh Xuân" in block[: block.index("</section>")]
    hoa = Sender(Platform.TELEGRAM, "7023", "7023", "Hoa")
    replies = await admin.conversation.handle(Incoming(hoa, EventKind.COMMAND, "dangky", code.group(1)))
    assert "Chào mừng" in replies[0].text and "phường Minh Xuân" in replies[0].text

    async def invites() -> int:
        async with admin.db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(t.Invite)) or 0)

    before = await invites()
    empty = await admin.post("/can-bo/moi-nhom", group="@nowhere", role="focal")
    assert empty.status_code == 400 and "Nhóm này không có cơ quan nào đang hoạt động." in empty.text
    assert await invites() == before  # nothing written


async def test_a_plan_is_previewed_without_a_write_then_loaded(admin: Admin) -> None:
    broken = {"file": ("hong.toml", b"[plan]\nnumber = 'x'\n", "text/plain")}
    refused = await admin.client.post("/ke-hoach/kiem-tra", data={"csrf": admin.csrf}, files=broken)
    assert refused.status_code == 400 and "Không nạp được tệp" in refused.text
    changed = PLAN_46.read_text(encoding="utf-8").replace('name = "Sở Tư pháp"', 'name = "Sở Tư pháp tỉnh"', 1)
    upload = {"file": ("46.toml", changed.encode(), "text/plain")}
    preview = await admin.client.post("/ke-hoach/kiem-tra", data={"csrf": admin.csrf}, files=upload)
    assert preview.status_code == 200 and "Xem trước Kế hoạch 46/KH-UBND" in preview.text
    async with admin.db.uows() as uow:
        stp = await uow.agencies.by_code("STP")
    assert stp is not None and stp.name == "Sở Tư pháp"  # a preview writes nothing
    carried = re.search(r'name="content" value="([^"]+)"', preview.text)
    assert carried is not None
    loaded = await admin.post("/ke-hoach/kiem-tra", content=carried.group(1), name="46.toml", confirm="1")
    assert "Đã nạp Kế hoạch 46/KH-UBND" in loaded.text
    async with admin.db.uows() as uow:
        stp = await uow.agencies.by_code("STP")
    assert stp is not None and stp.name == "Sở Tư pháp tỉnh"


async def test_a_calendar_day_off_is_previewed_then_applied(admin: Admin) -> None:
    form = {"action": "off", "first": "2027-05-12", "reason": "Nghỉ thử"}
    preview = await admin.post("/lich/doi", **form)
    assert preview.status_code == 200 and "12/5/2027" in preview.text
    async with admin.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.CalendarDay)) == 0  # nothing stored yet
    applied = await admin.post("/lich/doi", **form, confirm="1")
    assert "Đã thực hiện" in applied.text
    row = re.search(r"<tr[^>]*>\s*<td>12/5/2027</td>.*?</tr>", applied.text, re.S)
    assert row is not None and "ngày nghỉ" in row.group(0) and "Sở Nội vụ bổ sung" in row.group(0)
    bad = await admin.post("/lich/doi", action="off", first="12/5/2027", reason="x")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


async def test_a_notice_is_previewed_sent_delivered_and_acknowledged(admin: Admin) -> None:
    reader = Sender(Platform.TELEGRAM, "7011", "7011", "Lê Văn Sơn")
    await add_person(admin.db, "STP", Role.FOCAL, "Lê Văn Sơn", "7011", platform="telegram")
    text = "Đề nghị các đơn vị gửi báo cáo tháng 4 đúng hạn."
    empty = await admin.post("/thong-bao/xem-truoc", text="  ", audience="codes", codes="STP, KHONGCO")
    assert empty.status_code == 400 and "Đề nghị nhập nội dung thông báo" in empty.text and "KHONGCO" in empty.text
    preview = await admin.post("/thong-bao/xem-truoc", text=text, audience="codes", codes="STP")
    assert preview.status_code == 200 and "Gửi 1 cơ quan, 1 người" in preview.text
    sent = await admin.post("/thong-bao/gui", text=text, audience="codes", codes="STP")
    assert sent.status_code == 303
    row = re.search(r"<tr data-notice[^>]*>.*?</tr>", (await admin.client.get("/thong-bao")).text, re.S)
    assert row is not None and 'class="acknowledged">0<' in row.group(0) and "Lê Văn Sơn" in row.group(0)

    channel = RecordingChannel(Platform.TELEGRAM)  # Telegram's servers, recorded
    await OutboxSender(admin.db.uows, {Platform.TELEGRAM: channel}).drain_once()
    assert any(text in sent_text for sent_text in channel.to("7011"))
    async with admin.db.sessions() as s:
        choices = await s.scalar(select(t.Delivery.choices).where(t.Delivery.kind == "notice"))
    assert choices is not None
    ((label, token),) = choices
    assert label == "Đã nhận"
    await admin.conversation.handle(Incoming(reader, EventKind.CHOICE, token=token))
    row = re.search(r"<tr data-notice[^>]*>.*?</tr>", (await admin.client.get("/thong-bao")).text, re.S)
    assert row is not None and 'class="delivered">1<' in row.group(0) and 'class="acknowledged">1<' in row.group(0)


async def test_an_adhoc_request_shows_the_day_its_words_name_before_it_is_sent(admin: Admin) -> None:
    wednesday = datetime(2026, 12, 9, 9, 0, tzinfo=VN_TZ)
    form = {"title": "Tình hình thực hiện chuyển đổi số", "audience": "departments", "deadline": "thứ Sáu tuần sau"}
    with time_machine.travel(wednesday, tick=False):
        admin = await _signed_in_again(admin)  # the session of the fixture has expired by that Wednesday
        unreadable = await admin.post("/dot-xuat/xem-truoc", **{**form, "deadline": "sớm nhất có thể"})
        assert unreadable.status_code == 400 and "không phải là ngày hệ thống hiểu được" in unreadable.text
        preview = await admin.post("/dot-xuat/xem-truoc", **form)
        assert preview.status_code == 200
        assert "hạn chót thứ Sáu, 18/12/2026 (“thứ Sáu tuần sau”)" in preview.text, preview.text
        async with admin.db.sessions() as s:
            assert await s.scalar(select(func.count()).where(t.ReportPeriod.label.like("%chuyển đổi số%"))) == 0
        due = re.search(r'name="due" value="([0-9-]+)"', preview.text)
        codes = re.search(r'name="codes" value="([A-Z0-9,-]+)"', preview.text)
        assert due is not None and codes is not None and due.group(1) == "2026-12-18"
        sent = await admin.post(
            "/dot-xuat/gui", title=form["title"], audience="codes", codes=codes.group(1), due=due.group(1)
        )
        assert sent.status_code == 200 and "Đã tạo" in sent.text
    async with admin.db.sessions() as s:
        saved = await s.scalar(select(t.ReportPeriod).where(t.ReportPeriod.label.like("%chuyển đổi số%")))
    assert saved is not None and saved.due_at.astimezone(VN_TZ).date() == date(2026, 12, 18)


async def _signed_in_again(admin: Admin) -> Admin:
    async with admin.db.uows() as uow:
        token = await web_access.operator_link(uow, "SNV", Role.ADMIN, "Quản trị viên", utcnow())
        await uow.commit()
    assert (await admin.client.get("/dang-nhap", params={"t": token})).status_code == 303
    csrf = re.search(r'name="csrf" value="([^"]+)"', (await admin.client.get("/can-bo")).text)
    assert csrf is not None
    return Admin(admin.db, admin.client, csrf.group(1), admin.conversation)


async def test_numbers_in_other_scripts_are_no_numbers(admin: Admin) -> None:
    """Issue 28, finding 8: "²" passed ``isdigit`` and int() raised (a 500); "١٢" (Arabic-Indic) was read as 12 and
    erased person 12. Only ASCII digits are numbers in an address or a form."""
    await add_person(admin.db, "STP", Role.FOCAL, "Lê Thị Mười Hai", chat_id="stp-12")
    async with admin.db.sessions() as s:
        person_id = await s.scalar(select(t.Person.id).where(t.Person.display_name == "Lê Thị Mười Hai"))
    assert person_id is not None
    arabic = str(person_id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    erased = await admin.post("/can-bo/xoa-du-lieu", person=arabic, confirm="yes")
    assert erased.status_code == 400
    async with admin.db.sessions() as s:
        assert await s.scalar(select(t.Person.erased_at).where(t.Person.id == person_id)) is None
    assert (await admin.client.get("/ke-hoach/so/²")).status_code == 404
    assert (await admin.client.get("/o/²/STP")).status_code == 404
    assert (await admin.client.get("/ke-hoach/ban-nhap/١")).status_code == 404


async def test_numbers_too_large_for_the_database_are_refused_not_a_500(admin: Admin) -> None:
    """Issue 24, finding 8: a 30-digit id in an address or a form, or year 99999, gave a 500 (PostgreSQL's integer
    overflowed); now they are no such row, or the current year, and nothing is written."""
    huge = "9" * 30
    cell = await admin.client.get(f"/o/{huge}/STP")
    assert cell.status_code == 404 and "Không có cơ quan hoặc kỳ báo cáo này" in cell.text
    assert (await admin.client.get(f"/o/{2**31}/STP")).status_code == 404
    calendar = await admin.client.get("/lich", params={"nam": "99999"})
    assert calendar.status_code == 200 and "99999" not in calendar.text
    person = await admin.post("/can-bo/ngung", person=huge)
    assert person.status_code == 400
    draft = await admin.client.get(f"/ke-hoach/ban-nhap/{huge}")
    assert draft.status_code == 404


async def test_a_periods_documents_open_from_the_dashboard(admin: Admin) -> None:
    """Issue 32: the draft report, the draft chasing letter, the sheet and the .zip of a period's files, made on the
    spot from the database as the CLI's `compile` makes them, the period's page, a cell's 📎; a name the dashboard
    does not offer is not found."""
    await submit(admin.db, "STP", "2023-04", datetime(2023, 4, 14, 9, 30, tzinfo=VN_TZ))
    async with admin.db.uows() as uow:
        april = next(p for p in await uow.periods.all() if p.key == "2023-04")
    letter = await admin.client.get(f"/ho-so/{april.id}/du-thao-cong-van-don-doc.docx")
    assert letter.status_code == 200 and "attachment" in letter.headers["content-disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(letter.content)).paragraphs)
    assert "V/v đôn đốc gửi Báo cáo tháng 4/2023 theo Kế hoạch số 46/KH-UBND" in text
    addressed = [line[2:].rstrip(";.") for line in text.splitlines() if line.startswith("- ")]
    assert "Sở Tư pháp" not in addressed and len(addressed) == 23, addressed  # to the 23 not sent, not STP
    sheet = await admin.client.get(f"/ho-so/{april.id}/bang-tong-hop.xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    assert (await admin.client.get(f"/ho-so/{april.id}/khac.docx")).status_code == 404
    assert (await admin.client.get("/ho-so/999999/du-thao-bao-cao.docx")).status_code == 404

    # The report files in one .zip: Sở Y tế's, uploaded by the admin on its cell, named by its number in the sheet.
    pdf = pdf_report("Sở Y tế", "61/BC-SYT")
    cell = await admin.client.get(f"/o/{april.id}/SYT")
    assert f'action="/o/{april.id}/SYT/tep"' in cell.text and "Gửi tệp báo cáo" in cell.text
    sent = await admin.client.post(
        f"/o/{april.id}/SYT/tep",
        data={"csrf": admin.csrf, "document_number": "61/BC-SYT"},
        files={"file": ("bc.pdf", pdf, "application/pdf")},
    )
    assert sent.status_code == 303
    zipped = await admin.client.get(f"/ho-so/{april.id}/cac-tep-bao-cao.zip")
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as z:
        assert [(i.filename, z.read(i)) for i in z.infolist()] == [("15 - Sở Y tế - 61-BC-SYT.pdf", pdf)]
    matrix = (await admin.client.get("/")).text
    syt = re.search(r'<tr data-agency="SYT">.*?</tr>', matrix, re.S)
    stp = re.search(r'<tr data-agency="STP">.*?</tr>', matrix, re.S)
    assert syt is not None and stp is not None
    assert "📎" in syt.group(0) and "📎" not in stp.group(0)  # the cell says a file came with the report
    assert f'href="/ho-so/{april.id}/cac-tep-bao-cao.zip"' in matrix  # the period's files from its column
    page = await admin.client.get(f"/ky/{april.id}")  # the period's page: every agency, its file, who confirmed
    assert page.status_code == 200 and "Hồ sơ kỳ báo cáo: Báo cáo tháng 4/2023" in page.text
    row = re.search(r'<tr data-agency="SYT">.*?</tr>', page.text, re.S)
    assert row is not None and "61/BC-SYT" in row.group(0) and "bc.pdf" in row.group(0) and "/tep/" in row.group(0)
    assert "Điều 148" in page.text and "thứ Hai, 17/4/2023" in page.text
    assert page.text.count('<tr data-agency="') == 24
