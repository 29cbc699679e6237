"""Personal data (issue 24): the notice at registration, /dulieu, /xoadulieu, an admin's erasure from the CLI, and
retention of message texts and audit records.

Real database (SQLite, and PostgreSQL when configured), the real conversation core, outbox sender and reminder
engine; the chat platform is the only fake (RecordingChannel). Time is frozen at 10/4/2023 09:00.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select

from core.deadlines import VN_TZ
from core.types import Platform, Role
from core.usecases import accounts
from core.usecases.rules import Rules
from models import tables as t
from models.base import Base
from scheduler.engine import ReminderEngine
from scheduler.sender import OutboxSender
from tests.chat_harness import Harness, Person, make_harness
from tests.cli_runner import ENTRY, run_cli
from tests.conftest import Database
from tests.factories import add_person, invite_code

NOW = datetime(2023, 4, 10, 9, 0, tzinfo=VN_TZ)
NAME = "Trần Văn Xóa"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
async def h(loaded: Database) -> Harness:
    return make_harness(loaded)


async def dump(db: Database) -> dict[str, list[str]]:
    """Every row of every table, each as one line of text (JSON columns decoded and written out again, so a
    name stored as "Tr\\u1ea7n" is found as "Trần")."""
    tables: dict[str, list[str]] = {}
    async with db.sessions() as s:
        for table in Base.metadata.sorted_tables:
            rows = (await s.execute(select(table))).mappings().all()
            tables[table.name] = [json.dumps(dict(r), ensure_ascii=False, default=str) for r in rows]
    return tables


def holding(tables: dict[str, list[str]], needle: str) -> set[str]:
    return {name for name, rows in tables.items() if any(needle in row for row in rows)}


async def test_registration_tells_what_is_processed_by_whom_and_the_rights(h: Harness) -> None:
    p = h.person("101", "Nguyễn Văn An")
    await p.say(f"/dangky {await invite_code(h.db, 'STP', Role.FOCAL)}")
    notice = p.last[0].text
    assert "Về dữ liệu cá nhân: Sở Nội vụ xử lý họ và tên, chức vụ, cơ quan" in notice
    assert "Nội dung tin nhắn được lưu 180 ngày, nhật ký thao tác 5 năm" in notice
    assert "/dulieu" in notice and "/xoadulieu" in notice and "Luật Bảo vệ dữ liệu cá nhân" in notice


async def test_a_console_person_sees_their_data_then_erases_it_and_no_row_keeps_the_name(h: Harness) -> None:
    """Issue 24's "done when": registered in the console as Trần Văn Xóa, /dulieu, /xoadulieu, confirm; then a
    dump of every table holds the name nowhere, the agency's history still shows the report, the audit the
    erasure."""
    async with h.db.uows() as uow:  # what `nhacviec chat --as STP --name "Trần Văn Xóa"` does
        sender = await accounts.console_account(uow, "STP", Role.FOCAL, NAME, NOW)
        await uow.commit()
    xoa = Person(h, sender)
    admin = await h.registered("adm", "Phạm Quản Trị", "SNV", Role.ADMIN)
    # The name reaches other rows: a code issued in his name, his Telegram account linked, a nudge addressed to
    # him, a notice naming him.
    await admin.say(f"/moi STP {NAME}, Chuyên viên")
    assert "Mã đăng ký" in admin.text, admin.text
    await xoa.say("/lienket")
    code = xoa.text.split("/dangky ")[1].split()[0]
    phone = h.person("zl-555001", "Xoa T.", Platform.ZALO)
    await phone.say(f"/dangky {code}")
    assert "Đã liên kết" in phone.text, phone.text
    async with h.db.uows() as uow:  # a message from his Zalo still kept, as the Zalo inbox keeps them
        body: dict[str, object] = {
            "message": {"from": {"id": "zl-555001", "display_name": NAME}, "chat": {"id": "zl-555001"}}
        }
        await uow.inbox.add(Platform.ZALO, "zm-1", "zl-555001", body, NOW)
        await uow.commit()
    await admin.say("/nhacnho 2023-04")
    await admin.press("Nhắc ngay")
    await admin.say("/thongbao")
    await admin.say(f"Đề nghị đồng chí {NAME} (Sở Tư pháp) gửi báo cáo tháng 4 đúng hạn.")
    await admin.press("Tất cả")
    await admin.press("Gửi")
    await h.sender.drain_once()
    assert any(f"Kính gửi: Đồng chí {NAME}" in text for _, text in h.channel.sent)
    await xoa.say("/danop 2023-04")
    await xoa.press("Xác nhận đã nộp")
    assert "Đã ghi nhận" in xoa.text, xoa.text
    before = await dump(h.db)
    assert {"person", "delivery", "notice", "audit_log"} <= holding(before, NAME)  # the check can fail
    assert {"chat_account", "inbound_update"} <= holding(before, "zl-555001")

    await xoa.say("/dulieu")
    shown = xoa.text
    assert f"Họ và tên: {NAME}" in shown and "Cơ quan: Sở Tư pháp" in shown
    assert "Vai trò: đầu mối" in shown
    assert "Console (nhận nhắc việc), đăng ký từ thứ Hai, 10/4/2023; Zalo, đăng ký" in shown
    assert "Báo cáo đồng chí đã xác nhận gửi: 1" in shown and "Báo cáo tháng 4/2023" in shown
    assert "Tin nhắn đã gửi đồng chí:" in shown
    await xoa.say("/xoadulieu")
    assert "không hoàn tác được" in xoa.text and "Cán bộ đầu mối (đã xóa)" in xoa.text
    await xoa.press("Xóa dữ liệu")
    assert "Đã xóa dữ liệu cá nhân của đồng chí" in xoa.text

    after = await dump(h.db)
    assert holding(after, NAME) == set()
    assert holding(after, "Xóa") == set()  # not a part of the name either
    assert holding(after, "zl-555001") == set()  # nor his Zalo identifier
    async with h.db.uows() as uow:
        period = await uow.periods.find("2023-04", NOW)
        stp = await uow.agencies.by_code("STP")
        assert period is not None and stp is not None
        detail = await uow.periods.submission_detail(period.id, stp.id)
        assert detail is not None and detail.confirmed_by == "Cán bộ đầu mối (đã xóa)"
    async with h.db.sessions() as s:
        lines = (await s.execute(select(t.AuditLog).where(t.AuditLog.action == "erase_personal_data"))).scalars().all()
        assert len(lines) == 1 and lines[0].entity == "person" and lines[0].detail["agency"] == "STP"
        assert lines[0].detail["accounts"] == 2
        sent_to_him = (
            await s.execute(
                select(t.Delivery.text).join(t.ChatAccount).join(t.Person).where(t.Person.erased_at.is_not(None))
            )
        ).scalars()
        assert set(sent_to_him) == {""}
    await admin.say("/tonghop 2023-04")
    assert "Đúng hạn (1): Sở Tư pháp" in admin.text
    await xoa.say("/hanbaocao")  # the console account is no longer his
    assert "chưa đăng ký" in xoa.text
    await phone.say("/hanbaocao")
    assert "chưa đăng ký" in phone.text


async def test_an_admin_cannot_erase_someone_from_the_chat_but_the_operator_can_from_the_cli(
    loaded: Database, tmp_path: Path
) -> None:
    if not ENTRY.exists():
        pytest.skip("the nhacviec script is not installed (run make test)")
    await add_person(loaded, "STP", Role.FOCAL, NAME, chat_id="stp-1")
    async with loaded.sessions() as s:
        person_id = await s.scalar(select(t.Person.id).where(t.Person.display_name == NAME))
    assert person_id is not None
    refused = run_cli(["people", "erase", "999999"], loaded.env, tmp_path)
    assert refused.code == 2 and "không có cán bộ" in refused.err
    unconfirmed = run_cli(["people", "erase", str(person_id)], loaded.env, tmp_path)
    assert unconfirmed.code == 2 and "--yes" in unconfirmed.err
    async with loaded.sessions() as s:
        assert await s.scalar(select(t.Person.display_name).where(t.Person.id == person_id)) == NAME
    done = run_cli(["people", "erase", str(person_id), "--yes"], loaded.env, tmp_path)
    assert done.code == 0, done.err
    assert "Đã xóa dữ liệu cá nhân của cán bộ" in done.out and NAME not in done.out
    assert holding(await dump(loaded), NAME) == set()


async def test_retention_clears_old_texts_and_old_audit_records_daily(h: Harness, loaded: Database) -> None:
    account = await add_person(loaded, "STP", Role.FOCAL, "Lê Thị Lưu", chat_id="stp-2")
    old, recent = NOW - timedelta(days=181), NOW - timedelta(days=179)
    async with loaded.sessions() as s:
        for i, (at, status) in enumerate([(old, "sent"), (old, "failed"), (old, "pending"), (recent, "sent")]):
            s.add(
                t.Delivery(
                    dedup_key=f"r{i}",
                    account_id=account,
                    kind="notice",
                    priority=5,
                    text=f"tin {i}",
                    status=status,
                    attempts=0,
                    next_attempt_at=at,
                    created_at=at,
                )
            )
        for years in (6, 4):
            s.add(t.AuditLog(at=NOW - timedelta(days=365 * years), actor="cli", action=f"old{years}", entity="x"))
        # Issue 28, finding 10: strangers' identifiers and refused sign-in addresses are kept 30 days, not 5 years.
        for days, actor, action in [
            (31, "zalo:stranger-1", "stranger_reply"),
            (31, "telegram:999", "register_failed"),
            (31, "web:203.0.113.7", "web_sign_in_refused"),
            (29, "zalo:stranger-2", "stranger_reply"),
            (31, "account:1", "web_sign_in"),
        ]:
            s.add(t.AuditLog(at=NOW - timedelta(days=days), actor=actor, action=action, entity="x"))
        await s.commit()
    rules = Rules()
    engine = ReminderEngine(
        loaded.uows, rules, OutboxSender(loaded.uows, {}), AsyncIOScheduler(timezone=VN_TZ), clock=lambda: NOW
    )
    await engine.roll_forward()
    async with loaded.sessions() as s:
        texts = dict((await s.execute(select(t.Delivery.dedup_key, t.Delivery.text))).tuples().all())
        actions = set((await s.scalars(select(t.AuditLog.action))).all())
    assert texts == {"r0": "", "r1": "", "r2": "tin 2", "r3": "tin 3"}  # waiting to be sent: kept
    assert "old6" not in actions and "old4" in actions and "retention" in actions
    async with loaded.sessions() as s:
        actors = set((await s.scalars(select(t.AuditLog.actor))).all())
    assert not {"zalo:stranger-1", "telegram:999", "web:203.0.113.7"} & actors
    assert {"zalo:stranger-2", "account:1"} <= actors  # a recent stranger, and a person's own sign-in, stay
    await engine.roll_forward()  # nothing more to clear: no second audit line
    async with loaded.sessions() as s:
        assert len((await s.scalars(select(t.AuditLog).where(t.AuditLog.action == "retention"))).all()) == 1
