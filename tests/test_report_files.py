"""Issue 32, done when: April 2023 of plan 46 — three reports confirmed with their files, one through Telegram (the
real python-telegram-bot Application polling a local stand-in of the Bot API, the only fake, which also serves the
file at its file URL), one uploaded on the dashboard by the agency's focal person (the real routes over ASGI), one by
`nhacviec submit … --file` (the real CLI) — and two by document number only; then `nhacviec compile` writes the
sheet, the .zip of the files (byte for byte), the draft report and the chasing letter, and reading them back finds
what the database holds."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.telegram.app import TelegramBot
from bot.telegram.links import invite_links
from core.conversation.engine import Conversation
from core.deadlines import VN_TZ
from core.types import Platform, Role
from core.usecases import plan, submissions
from core.usecases.rules import Rules
from models import tables as t
from nhacviec.notifier import ServiceNotifier
from nhacviec.service import admin_chats
from scheduler.sender import OutboxSender
from tests.cli_runner import ENTRY, Result, run_cli
from tests.conftest import Database
from tests.dashboard_client import signed_in
from tests.factories import invite_code
from tests.fakes import unpaced
from tests.report_documents import excel_annex, pdf_report, word_report
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.skipif(not ENTRY.exists(), reason="the nhacviec script is not installed (run make test)")
TOKEN = "6123456789:AAHk7xQvZ-secret-part-of-the-token_0123"
PERIOD = "46/KH-UBND thang:2023-04"
STP_CHAT = 2002


@pytest.fixture(autouse=True)
def april() -> Iterator[None]:
    with time_machine.travel(datetime(2023, 4, 12, 9, 0, tzinfo=VN_TZ), tick=True):
        yield


@pytest.fixture
async def api(loaded: Database) -> AsyncIterator[BotApiStandIn]:
    standin = BotApiStandIn(TOKEN)
    standin.start()
    sender = OutboxSender(loaded.uows, {})
    conversation = Conversation(loaded.uows, ServiceNotifier(sender), Rules(), invite_links("nhacviec_test_bot"))
    chats = admin_chats(loaded.uows, Platform.TELEGRAM)
    bot = TelegramBot(TOKEN, conversation, chats, standin.base_url, poll_timeout=1, pacer=unpaced())
    await bot.start()
    await bot.start_polling()
    try:
        yield standin
    finally:
        await bot.stop()
        standin.stop()


async def _period_id(db: Database) -> int:
    async with db.uows() as uow:
        return (await plan.period(uow, "thang:2023-04", datetime(2023, 4, 12, tzinfo=VN_TZ))).id


async def _counts(db: Database) -> tuple[int, int]:
    async with db.sessions() as s:
        return (
            int(await s.scalar(select(func.count()).select_from(t.StoredFile)) or 0),
            int(await s.scalar(select(func.count()).select_from(t.ReportFile)) or 0),
        )


async def test_a_period_collected_and_compiled(loaded: Database, api: BotApiStandIn, tmp_path: Path) -> None:
    def cli(*args: str) -> Result:
        return run_cli(list(args), loaded.env, tmp_path)

    stp_docx = word_report("Sở Tư pháp", "125/BC-STP")
    syt_pdf = pdf_report("Sở Y tế", "61/BC-SYT")
    stc_xlsx = excel_annex("Sở Tài chính")

    # 1. Telegram: Sở Tư pháp's focal person picks April in /danop, sends the number and the Word file, confirms.
    code = await invite_code(loaded, "STP", Role.FOCAL)
    api.push_text(STP_CHAT, "Lê Văn Sơn", f"/start {code}")
    await api.reply_to(STP_CHAT, "Chào mừng")
    api.push_text(STP_CHAT, "Lê Văn Sơn", "/danop")
    menu = await api.reply_to(STP_CHAT, "đã gửi báo cáo kỳ nào")
    api.push_callback(STP_CHAT, "Lê Văn Sơn", api.button(menu, "Báo cáo tháng 4/2023"))
    await api.reply_to(STP_CHAT, "hoặc tệp báo cáo, rồi xác nhận")
    api.push_text(STP_CHAT, "Lê Văn Sơn", "125/BC-STP")
    await api.reply_to(STP_CHAT, "Số văn bản: 125/BC-STP")
    api.push_document(STP_CHAT, "Lê Văn Sơn", "BC thang 4.docx", stp_docx)
    ask = await api.reply_to(STP_CHAT, "Đã nhận tệp báo cáo: BC thang 4.docx")
    assert api.downloads and api.downloads[0].startswith("documents/")  # fetched from the file endpoint
    api.push_callback(STP_CHAT, "Lê Văn Sơn", api.button(ask, "Xác nhận đã nộp"))
    receipt = await api.reply_to(STP_CHAT, "Đã ghi nhận")
    assert "Đã đính kèm tệp báo cáo." in receipt["text"] and "đúng hạn" in receipt["text"]

    # 2. The dashboard: Sở Y tế's focal person uploads the PDF on the period's cell (which confirms it).
    period_id = await _period_id(loaded)
    async with signed_in(loaded, "SYT", Role.FOCAL, name="Trần Thị Hoa") as web:
        sent = await web.client.post(
            f"/o/{period_id}/SYT/tep",
            data={"csrf": web.csrf, "document_number": "61/BC-SYT"},
            files={"file": ("Báo cáo tháng 4.pdf", syt_pdf, "application/pdf")},
        )
        assert sent.status_code == 303 and sent.headers["location"] == f"/o/{period_id}/SYT"
        cell = await web.client.get(sent.headers["location"])
        assert "Báo cáo tháng 4.pdf" in cell.text and "Trần Thị Hoa" in cell.text

    # 3. The CLI: Sở Tài chính's report recorded by the operator with its file, late (19/4, after Điều 148's 17/4).
    done = cli("submit", "STC", "thang:2023-04", "--so-van-ban", "90/BC-STC", "--at", "2023-04-19T09:00+07:00",
               "--file", str(_write(tmp_path / "bao-cao-stc.xlsx", stc_xlsx)))  # fmt: skip
    assert done.code == 0, done.err
    # 4. Two by number only.
    for agency, number in (("SNNPTNT", "40/BC-SNNPTNT"), ("SXD", "77/BC-SXD")):
        assert (
            cli("submit", agency, "thang:2023-04", "--so-van-ban", number, "--at", "2023-04-14T10:00+07:00").code == 0
        )

    # The period's file, made on 20/4/2023, after the deadline (15/4, a Saturday, run on to Monday 17/4).
    with time_machine.travel(datetime(2023, 4, 20, 9, 0, tzinfo=VN_TZ), tick=True):
        owed = {r["agency"]: r for r in cli("status", PERIOD, "--json").json()}
        made = cli("compile", PERIOD, "--out", str(tmp_path / "ho-so"))
    assert made.code == 0, made.err
    files = [Path(line) for line in made.out.split()]
    assert [f.name.split("_", 3)[-1] for f in files] == [
        "bang-tong-hop.xlsx",
        "cac-tep-bao-cao.zip",
        "du-thao-bao-cao.docx",
        "du-thao-cong-van-don-doc.docx",
    ]
    sheet, zipped, report, letter = files

    ws = load_workbook(sheet).active
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    assert [r[1] for r in rows] == [r["name"] for r in owed.values()] and len(rows) == 24  # the official order
    by_name = {r[1]: r for r in rows}
    names = {agency: r["name"] for agency, r in owed.items()}
    position = {r[1]: r[0] for r in rows}
    stp, syt, stc = by_name[names["STP"]], by_name[names["SYT"]], by_name[names["STC"]]
    assert stp[2:5] == ("Đúng hạn", None, "125/BC-STP") and stp[7] == "Lê Văn Sơn"
    assert stp[6] == f"{position[names['STP']]:02d} - Sở Tư pháp - 125-BC-STP.docx"
    assert syt[2:5] == ("Đúng hạn", None, "61/BC-SYT") and syt[7] == "Trần Thị Hoa"
    assert syt[6] == f"{position[names['SYT']]:02d} - Sở Y tế - 61-BC-SYT.pdf"
    assert stc[2:5] == ("Gửi chậm 2 ngày làm việc", 2, "90/BC-STC") and stc[7] == "Sở Nội vụ (ghi nhận)"
    assert by_name[names["SNNPTNT"]][4] == "40/BC-SNNPTNT" and not by_name[names["SNNPTNT"]][6]
    assert sum(1 for r in rows if r[2] == "Chưa gửi (quá hạn 3 ngày làm việc)") == 19

    with zipfile.ZipFile(zipped) as z:  # the three files, named by order and agency, byte for byte as sent
        inside = {i.filename: z.read(i) for i in z.infolist()}
        dated = {i.filename: i.date_time[:3] for i in z.infolist()}
    assert inside == {stp[6]: stp_docx, syt[6]: syt_pdf, stc[6]: stc_xlsx}
    assert dated[stc[6]] == (2023, 4, 19) and dated[stp[6]] == (2023, 4, 12)  # dated when each was received

    drafted = Document(str(report))
    header = " ".join(p.text for cell in drafted.tables[0].rows[0].cells for p in cell.paragraphs)
    assert "SỞ NỘI VỤ" in header and "Số:" in header and "/BC-SNV" in header and "Tuyên Quang, ngày" in header
    text = "\n".join(p.text for p in drafted.paragraphs)
    assert "Tổng số cơ quan, đơn vị phải gửi báo cáo: 24." in text
    assert "Gửi đúng hạn: 4; gửi chậm: 1; chưa gửi: 19." in text
    listed = [row.cells[1].text for row in drafted.tables[1].rows[1:]]
    assert len(listed) == 20 and names["STC"] in listed and names["STP"] not in listed
    assert "Sở Kế hoạch và Đầu tư" in listed  # named as in 2023
    letter_text = "\n".join(p.text for p in Document(str(letter)).paragraphs)
    addressed = [line[2:].rstrip(";.") for line in letter_text.splitlines() if line.startswith("- ")]
    assert sorted(addressed) == sorted(r["name"] for r in owed.values() if r["status"] == "missing")
    assert len(addressed) == 19


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


async def test_telegram_refuses_a_file_over_the_limit_or_not_a_report_before_storing(
    loaded: Database, api: BotApiStandIn
) -> None:
    code = await invite_code(loaded, "STP", Role.FOCAL)
    api.push_text(STP_CHAT, "Lê Văn Sơn", f"/start {code}")
    await api.reply_to(STP_CHAT, "Chào mừng")
    api.push_text(STP_CHAT, "Lê Văn Sơn", "/danop thang:2023-04")
    await api.reply_to(STP_CHAT, "rồi xác nhận")
    api.push_document(STP_CHAT, "Lê Văn Sơn", "bao-cao.pdf", b"MZ\x90\x00 a program, named as a PDF" * 10)
    await api.reply_to(STP_CHAT, "Tệp không được nhận: chỉ nhận tệp Word (.docx, .doc), PDF")
    api.push_document(STP_CHAT, "Lê Văn Sơn", "bao-cao-lon.pdf", b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024))
    await api.reply_to(STP_CHAT, "Tệp lớn hơn 20 MB nên không được nhận")
    assert len(api.downloads) == 1  # the big one was never downloaded: getFile's size said so
    assert await _counts(loaded) == (0, 0)


async def test_a_file_sent_twice_is_stored_once(loaded: Database) -> None:
    period_id = await _period_id(loaded)
    data = word_report("Sở Tư pháp", "125/BC-STP")
    async with signed_in(loaded) as web:  # an admin, for two agencies, the same content
        for agency in ("STP", "STP", "SYT"):
            sent = await web.client.post(
                f"/o/{period_id}/{agency}/tep", data={"csrf": web.csrf}, files={"file": ("bc.docx", data)}
            )
            assert sent.status_code == 303
    assert await _counts(loaded) == (1, 2)  # one content; a file of each agency


async def test_an_upload_that_breaks_off_leaves_nothing(loaded: Database) -> None:
    period_id = await _period_id(loaded)
    head = b'--B\r\nContent-Disposition: form-data; name="file"; filename="bc.pdf"\r\n\r\n%PDF-1.4 '
    async with signed_in(loaded, "STP", Role.FOCAL) as web:
        torn = head + b"x" * 300_000  # the part never ends: the connection went away
        csrf = f'--B\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{web.csrf}\r\n'.encode()
        sent = await web.client.post(
            f"/o/{period_id}/STP/tep",
            content=csrf + torn,
            headers={"Content-Type": "multipart/form-data; boundary=B"},
        )
        assert sent.status_code == 400 and "Chưa nhận được tệp" in sent.text
    assert await _counts(loaded) == (0, 0)
    async with loaded.uows() as uow:
        assert await uow.periods.live_submission((await uow.agencies.by_code("STP")).id, period_id) is None  # type: ignore[union-attr]


async def test_files_kept_in_a_directory_are_written_whole(loaded: Database, tmp_path: Path) -> None:
    from core.types import OPERATOR
    from core.usecases import report_files
    from models.uow import uow_factory

    uows = uow_factory(loaded.sessions, tmp_path / "files")
    period_id = await _period_id(loaded)
    data = pdf_report("Sở Y tế", "61/BC-SYT")
    async with uows() as uow:
        syt = await uow.agencies.by_code("SYT")
        assert syt is not None
        got = await report_files.deliver(
            uow, OPERATOR, syt.id, period_id, "bc.pdf", data, datetime(2023, 4, 12, tzinfo=VN_TZ), Rules(), "cli"
        )
        await uow.commit()
    kept = sorted(p for p in (tmp_path / "files").rglob("*") if p.is_file())
    assert [p.name for p in kept] == [got.file.sha256] and kept[0].read_bytes() == data  # no ".part-" left
    async with loaded.sessions() as s:
        assert await s.scalar(select(t.StoredFile.content)) is None  # the content is on the disk, not in the row
    async with uows() as uow:
        assert await report_files.content(uow, OPERATOR, got.file.id) == data


def test_the_kind_is_judged_by_content() -> None:
    from core.filekinds import FileKind, kind_of

    assert kind_of(word_report("Sở Tư pháp", "1/BC-STP")) is FileKind.DOCX
    assert kind_of(excel_annex("Sở Tài chính")) is FileKind.XLSX
    assert kind_of(pdf_report("Sở Y tế", "1/BC-SYT")) is FileKind.PDF
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("bao-cao.txt", "x")
    assert kind_of(zipped.getvalue()) is FileKind.ZIP
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<x/>")
    assert kind_of(odt.getvalue()) is FileKind.ODT
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert kind_of(ole + "WordDocument".encode("utf-16-le")) is FileKind.DOC
    assert kind_of(ole + "Workbook".encode("utf-16-le")) is FileKind.XLS
    assert kind_of(ole + "PowerPoint Document".encode("utf-16-le")) is None
    assert kind_of(b"\x89PNG\r\n\x1a\n a picture") is None and kind_of(b"PK\x03\x04 torn") is None


async def test_erasing_the_sender_keeps_the_agencys_file_and_takes_the_name_out(loaded: Database) -> None:
    """The file is the agency's official document: it stays, byte for byte; who sent it reads as the erased
    placeholder, and the name is taken out of the file's name."""
    from core.types import OPERATOR
    from core.usecases import privacy, report_files

    period_id = await _period_id(loaded)
    data = word_report("Sở Tư pháp", "125/BC-STP")
    async with signed_in(loaded, "STP", Role.FOCAL, name="Lê Văn Sơn") as web:
        sent = await web.client.post(
            f"/o/{period_id}/STP/tep",
            data={"csrf": web.csrf},
            files={"file": ("BC tháng 4 - Lê Văn Sơn.docx", data)},
        )
        assert sent.status_code == 303
    async with loaded.sessions() as s:
        person_id = await s.scalar(select(t.Person.id).where(t.Person.display_name == "Lê Văn Sơn"))
        file_id = await s.scalar(select(t.ReportFile.id))
    assert person_id is not None and file_id is not None
    async with loaded.uows() as uow:
        before = await uow.files.by_id(file_id)
        assert before is not None and before.received_by == "Lê Văn Sơn"
        assert (await privacy.held(uow, person_id)).files_sent == 1  # /dulieu says so
        await privacy.erase(uow, OPERATOR, person_id, datetime(2023, 4, 13, tzinfo=VN_TZ))
        await uow.commit()
    async with loaded.uows() as uow:
        after, content = await report_files.open_file(uow, OPERATOR, file_id)
    assert content == data  # kept
    assert "Lê Văn Sơn" not in after.received_by and "(đã xóa)" in after.received_by
    assert after.name == "BC tháng 4 - Cán bộ đầu mối (đã xóa).docx"


def _zip(n: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(f"phu-luc-{n}.txt", f"Phụ lục {n}")
    return out.getvalue()


async def test_the_cli_refuses_a_file_that_is_not_a_report_and_records_nothing(
    loaded: Database, tmp_path: Path
) -> None:
    picture = _write(tmp_path / "bao-cao.pdf", b"GIF89a\x01\x00\x01\x00 a picture named as a PDF")
    refused = run_cli(["submit", "STP", "thang:2023-04", "--file", str(picture)], loaded.env, tmp_path)
    assert refused.code == 2 and "Tệp không được nhận: chỉ nhận tệp Word (.docx, .doc), PDF" in refused.err
    assert await _counts(loaded) == (0, 0)
    async with loaded.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.Submission)) == 0


async def test_an_agency_sends_at_most_twenty_different_files_for_a_period(loaded: Database) -> None:
    from core.errors import FileRefused
    from core.types import OPERATOR
    from core.usecases import report_files

    period_id = await _period_id(loaded)
    at = datetime(2023, 4, 12, tzinfo=VN_TZ)
    async with loaded.uows() as uow:
        stp = await uow.agencies.by_code("STP")
        assert stp is not None
        for n in range(report_files.FILES_PER_PERIOD):
            await report_files.receive(uow, OPERATOR, stp.id, period_id, f"pl{n}.zip", _zip(n), at, Rules(), "cli")
        with pytest.raises(FileRefused) as refused:
            await report_files.receive(uow, OPERATOR, stp.id, period_id, "pl.zip", _zip(99), at, Rules(), "cli")
        assert refused.value.reason == "too_many"
        again = await report_files.receive(uow, OPERATOR, stp.id, period_id, "pl0.zip", _zip(0), at, Rules(), "cli")
        assert again.name == "pl0.zip"  # the same content again is the file kept before, not a new one
        await uow.commit()
    assert await _counts(loaded) == (20, 20)


async def test_a_focal_person_neither_sends_nor_opens_another_agencys_file(loaded: Database) -> None:
    period_id = await _period_id(loaded)
    data = word_report("Sở Tư pháp", "125/BC-STP")
    async with signed_in(loaded, "STP", Role.FOCAL, name="Lê Văn Sơn") as stp:
        assert (await stp.client.post(f"/o/{period_id}/STP/tep", data={"csrf": stp.csrf},
                                      files={"file": ("bc.docx", data)})).status_code == 303  # fmt: skip
    async with loaded.sessions() as s:
        file_id = await s.scalar(select(t.ReportFile.id))
    async with signed_in(loaded, "SYT", Role.FOCAL, name="Trần Thị Hoa") as syt:
        other = await syt.client.post(
            f"/o/{period_id}/STP/tep", data={"csrf": syt.csrf}, files={"file": ("x.docx", word_report("Sở Y tế", "1"))}
        )
        assert other.status_code == 403 and "chỉ gửi được tệp của cơ quan mình" in other.text
        opened = await syt.client.get(f"/tep/{file_id}")
        assert opened.status_code == 403 and data not in opened.content
        cell = await syt.client.get(f"/o/{period_id}/STP")
        assert cell.status_code == 403
    assert await _counts(loaded) == (1, 1)  # nothing of Sở Y tế's was kept


async def test_the_dashboard_refuses_a_file_over_the_limit_or_not_a_report_before_storing(loaded: Database) -> None:
    period_id = await _period_id(loaded)
    async with signed_in(loaded, "STP", Role.FOCAL, rules=Rules(file_limit_mb=1)) as web:
        over = b"%PDF-1.4\n" + b"0" * (1024 * 1024)  # just over 1 MB: read, judged, refused by the use-case
        refused = await web.client.post(
            f"/o/{period_id}/STP/tep", data={"csrf": web.csrf}, files={"file": ("bc.pdf", over)}
        )
        assert refused.status_code == 400 and "Tệp lớn hơn 1 MB nên không được nhận" in refused.text
        far = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)  # far over: refused by the route before it is read
        assert (
            await web.client.post(f"/o/{period_id}/STP/tep", data={"csrf": web.csrf}, files={"file": ("b.pdf", far)})
        ).status_code == 413
        program = await web.client.post(
            f"/o/{period_id}/STP/tep", data={"csrf": web.csrf}, files={"file": ("bc.docx", b"MZ\x90\x00" * 100)}
        )
        assert program.status_code == 400 and "xét theo nội dung tệp" in program.text
    assert await _counts(loaded) == (0, 0)
    async with loaded.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.Submission)) == 0  # nothing confirmed either


async def test_files_of_confirmations_made_before_files_were_kept_are_rescued(loaded: Database, tmp_path: Path) -> None:
    """Before issue 32, a file sent at /danop kept only Telegram's file_id. `nhacviec files fetch-telegram` fetches
    each through the Bot API (the stand-in, the only fake) and joins it to its confirmation, as its sender's; a
    file Telegram no longer has is said and the rest go on."""
    from core.conversation.events import Sender
    from core.types import Actor

    api = BotApiStandIn(TOKEN)
    api.start()
    try:
        kept = word_report("Sở Tư pháp", "125/BC-STP")
        file_id, _ = api.keep_file("bc.docx", kept)
        period_id = await _period_id(loaded)
        at = datetime(2023, 4, 12, 9, 0, tzinfo=VN_TZ)
        async with loaded.uows() as uow:
            for code, ref in (("STP", file_id), ("SYT", "BQAD-forgotten")):
                agency = await uow.agencies.by_code(code)
                assert agency is not None
                person = await uow.accounts.add_person(f"Cán bộ {code}", agency.id, Role.FOCAL, at)
                sender = Sender(Platform.TELEGRAM, f"9{agency.id}", f"9{agency.id}", f"Cán bộ {code}")
                await uow.accounts.add_account(person, sender, at)
                account = await uow.accounts.by_sender(sender)
                assert account is not None
                await submissions.submit(uow, Actor.of(account), agency.id, period_id, at, Rules(), None, ref)
            await uow.commit()
        env = {**loaded.env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url}
        done = run_cli(["files", "fetch-telegram"], env, tmp_path)
        assert done.code == 0, done.err
        assert "Đã lưu 1 tệp; không lưu 0; không tải được 1." in done.out and "không tải được (not fetched)" in done.out
        async with loaded.sessions() as s:
            sub = await s.scalar(select(t.Submission).where(t.Submission.file_ref == file_id))
            assert sub is not None and sub.report_file_id is not None
            content = await s.scalar(select(t.StoredFile.content))
            sender_id = await s.scalar(select(t.ReportFile.received_by_person_id))
        assert content == kept and sender_id == sub.confirmed_by_person_id  # the sender's, byte for byte
        again = run_cli(["files", "fetch-telegram"], env, tmp_path)  # the rescued one is not fetched twice
        assert "Đã lưu 0 tệp; không lưu 0; không tải được 1." in again.out and len(api.downloads) == 1
    finally:
        api.stop()


@pytest.mark.parametrize(
    ("given", "kind", "kept"),
    [
        ("Báo cáo T4.PDF", "pdf", "Báo cáo T4.pdf"),  # the extension of what it is
        ("bao-cao.pdf", "docx", "bao-cao.docx"),  # a Word file named as a PDF
        ("C:\\Users\\An\\Desktop\\BC thang 4.docx", "docx", "BC thang 4.docx"),  # a path: its last part only
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("Ba\u0301o ca\u0301o.docx", "docx", "Báo cáo.docx"),  # NFC
        ('BC "tháng" 4?\x00.xlsx', "xlsx", "BC -tháng- 4-.xlsx"),  # what Windows refuses, and control characters
        ("", "zip", "bao-cao.zip"),
        (None, "odt", "bao-cao.odt"),
    ],
)
def test_a_kept_files_name_is_safe_and_says_what_it_is(given: str | None, kind: str, kept: str) -> None:
    from core.filekinds import FileKind
    from core.usecases.report_files import file_name

    assert file_name(given, FileKind(kind)) == kept


async def test_a_double_click_keeps_one_file_and_one_confirmation(loaded: Database) -> None:
    """The same upload sent twice at once: one is kept, the other finds the conflict and shows the cell (no 500)."""
    import asyncio

    period_id = await _period_id(loaded)
    data = word_report("Sở Tư pháp", "125/BC-STP")
    async with signed_in(loaded, "STP", Role.FOCAL) as web:
        both = await asyncio.gather(
            *(
                web.client.post(f"/o/{period_id}/STP/tep", data={"csrf": web.csrf}, files={"file": ("bc.docx", data)})
                for _ in range(2)
            )
        )
        assert [r.status_code for r in both] == [303, 303]
        assert "bc.docx" in (await web.client.get(f"/o/{period_id}/STP")).text
    assert await _counts(loaded) == (1, 1)
    async with loaded.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(t.Submission)) == 1
