"""One message per person per sending moment (issue 30), through the real engine, outbox and sender on a real database.

The only fake is the chat platform (RecordingChannel, tests/fakes.py). The clock is moved with time-machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime

import pytest
import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select

from core.deadlines import VN_TZ
from core.planfile import load_plan_file
from core.ports import TransientSendError
from core.types import OPERATOR, DeliveryKind, DeliveryStatus, Platform, Role
from core.usecases import plan, reminder_actions, submissions
from core.usecases.rules import Rules
from models import tables as t
from scheduler.engine import ReminderEngine
from scheduler.sender import OutboxSender, RetryPolicy
from tests.conftest import Database
from tests.factories import add_person, submit
from tests.fakes import RecordingChannel
from tests.province_2026 import PLANS, province_2026, simulate

JUNE_1 = datetime(2026, 6, 1, 8, 0, tzinfo=VN_TZ)  # 12/KH-UBND: its 6-month and quarter II reports, 3 days before
HALF = "12/KH-UBND:6thang:2026-H1:before:3"
QUARTER = "12/KH-UBND:quy:2026-Q2:before:3"
NESTED = re.compile(r"\([^()]*\(")  # a parenthesis opened inside another


@pytest.fixture
def june() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(JUNE_1, tick=False) as traveller:
        yield traveller


async def _plan_12(db: Database) -> tuple[ReminderEngine, OutboxSender, RecordingChannel]:
    async with db.uows() as uow:
        spec = load_plan_file(PLANS / "cchc-2026-2027.toml", registry=await plan.registered(uow))
        await plan.import_plan(uow, OPERATOR, spec)
        await uow.commit()
    await add_person(db, "STP", Role.FOCAL, "Nguyễn Văn An", "stp-an")
    channel = RecordingChannel()
    sender = OutboxSender(db.uows, {Platform.CONSOLE: channel}, RetryPolicy(max_attempts=4))
    return ReminderEngine(db.uows, Rules(), sender, AsyncIOScheduler(timezone=VN_TZ)), sender, channel


async def _statuses(db: Database) -> dict[str, str]:
    async with db.sessions() as s:
        rows = (await s.execute(select(t.Delivery.dedup_key, t.Delivery.status))).tuples().all()
    return {key.split("#")[0]: status for key, status in rows}


async def test_two_reports_due_at_one_moment_leave_as_one_message(loaded: Database, june) -> None:  # type: ignore[no-untyped-def]
    engine, sender, channel = await _plan_12(loaded)
    assert await engine.fire_key(HALF, JUNE_1) == 2  # the job of one point writes its instant's other point too
    assert await engine.fire_key(QUARTER, JUNE_1) == 0  # …so the other job finds it done
    await sender.drain_once()
    (message,) = channel.sent
    text = message[1]
    assert text.startswith("Kính gửi: Đồng chí Nguyễn Văn An, Sở Tư pháp.\n")
    assert "\nSở Nội vụ đề nghị Sở Tư pháp gửi các báo cáo sau:\n1. Báo cáo " in text and "\n2. Báo cáo " in text
    assert text.count("Kính gửi") == 1 and "Kế hoạch số 12/KH-UBND ngày 20/1/2026" in text
    assert not NESTED.search(text)
    async with loaded.sessions() as s:
        rows = (await s.scalars(select(t.Delivery))).all()
    assert {r.status for r in rows} == {DeliveryStatus.SENT.value} and len({r.platform_message_id for r in rows}) == 1
    # Each report its own "Đã nộp", one "Đã nhận" for the message; no machine key on any of them.
    ((_, sent),) = channel.outgoing
    assert [label for label, _ in sent.choices] == [
        "Đã nộp: 6 tháng đầu năm 2026 (KH 12/KH-UBND)",
        "Đã nộp: Quý II/2026 (KH 12/KH-UBND)",
        "Đã nhận",
    ]
    head = min(rows, key=lambda r: r.id)
    async with loaded.uows() as uow:  # "Đã nhận" on the message: both reports were seen
        assert await reminder_actions.acknowledge(uow, head.account_id, head.dedup_key, JUNE_1)
        await uow.commit()
    async with loaded.sessions() as s:
        assert None not in set((await s.scalars(select(t.Delivery.acknowledged_at))).all())


async def test_a_report_confirmed_before_its_message_leaves_is_taken_out(loaded: Database, june) -> None:  # type: ignore[no-untyped-def]
    """The interleaving of issue 30: planned (the rows written), then confirmed, then claimed for sending."""
    engine, sender, channel = await _plan_12(loaded)
    assert await engine.fire_key(HALF, JUNE_1) == 2
    june.move_to(datetime(2026, 6, 1, 8, 0, 30, tzinfo=VN_TZ))
    await submit(loaded, "STP", "12/KH-UBND 6thang:2026-H1", datetime(2026, 6, 1, 8, 0, 30, tzinfo=VN_TZ))
    await sender.drain_once()
    (message,) = channel.to("stp-an")
    assert "Báo cáo quý II/2026" in message and "6 tháng" not in message
    assert "các báo cáo sau" not in message  # one report left: its own reminder, as it always reads
    statuses = await _statuses(loaded)
    assert statuses[HALF] == DeliveryStatus.WITHDRAWN.value and statuses[QUARTER] == DeliveryStatus.SENT.value


async def test_a_message_left_with_nothing_is_not_sent(loaded: Database, june) -> None:  # type: ignore[no-untyped-def]
    engine, sender, channel = await _plan_12(loaded)
    await engine.fire_key(HALF, JUNE_1)
    later = datetime(2026, 6, 1, 8, 0, 30, tzinfo=VN_TZ)
    june.move_to(later)
    await submit(loaded, "STP", "12/KH-UBND 6thang:2026-H1", later)
    await submit(loaded, "STP", "12/KH-UBND quy:2026-Q2", later)
    stats = await sender.drain_once()
    assert channel.sent == [] and stats.sent == 0
    assert set((await _statuses(loaded)).values()) == {DeliveryStatus.WITHDRAWN.value}


async def test_a_retried_message_is_put_together_again(loaded: Database, june) -> None:  # type: ignore[no-untyped-def]
    """A message that failed once is claimed again later: a report confirmed meanwhile is taken out then."""
    engine, sender, channel = await _plan_12(loaded)
    channel.failures["stp-an"] = [TransientSendError("network down")]
    await engine.fire_key(HALF, JUNE_1)
    await sender.drain_once()
    assert channel.sent == [] and set((await _statuses(loaded)).values()) == {DeliveryStatus.PENDING.value}
    june.move_to(datetime(2026, 6, 1, 8, 0, 40, tzinfo=VN_TZ))
    await submit(loaded, "STP", "12/KH-UBND quy:2026-Q2", datetime(2026, 6, 1, 8, 0, 40, tzinfo=VN_TZ))
    june.move_to(datetime(2026, 6, 1, 8, 5, tzinfo=VN_TZ))  # after the retry's backoff
    await sender.drain_once()
    (message,) = channel.to("stp-an")
    assert "Báo cáo 6 tháng đầu năm 2026" in message and "quý II" not in message
    statuses = await _statuses(loaded)
    assert statuses[QUARTER] == DeliveryStatus.WITHDRAWN.value and statuses[HALF] == DeliveryStatus.SENT.value


async def test_catch_up_checks_again_when_the_message_leaves(loaded: Database, june) -> None:  # type: ignore[no-untyped-def]
    """Issue 30's "sent after it was done": a catch-up at start plans a reminder; the report is confirmed two minutes
    later, before the sender gets to it; nothing is sent."""
    engine, sender, channel = await _plan_12(loaded)
    june.move_to(datetime(2026, 6, 1, 17, 14, tzinfo=VN_TZ))  # the service starts late: 08:00's points are missed
    assert await engine.catch_up() >= 2  # 08:00's two, and May's monthly report's overdue reminder
    async with loaded.sessions() as s:
        owed = set((await s.scalars(select(t.Delivery.period_id))).all())
    june.move_to(datetime(2026, 6, 1, 17, 15, tzinfo=VN_TZ))
    async with loaded.uows() as uow:
        agency = await plan.agency(uow, "STP")
        for period_id in owed:
            assert period_id is not None
            await submissions.submit(uow, OPERATOR, agency.id, period_id, datetime.now(VN_TZ), Rules())
        await uow.commit()
    june.move_to(datetime(2026, 6, 1, 17, 16, tzinfo=VN_TZ))
    await sender.drain_once()
    assert channel.sent == []


@pytest.mark.proof(seconds=270)  # ten months of a province's reminders, every point fired and drained
async def test_a_province_year_sends_one_message_a_moment(loaded: Database) -> None:
    """Issue 30's done-when, March–December 2026, five plans of 2026 and plan 46 as history, nobody sending anything
    (the most messages there can be): no focal person or leader receives two messages at one moment; Sở Tư pháp's
    focal person's busiest month is at most a third of the 63 separate reminders it used to be; the admins' digest is
    one message a day of at most 2,000 characters; every reminder names its plan; no parenthesis inside another."""
    await province_2026(loaded)
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=VN_TZ), tick=False) as traveller:
        got = await simulate(loaded, traveller, date(2026, 3, 1), date(2026, 12, 31))
    for chat in ("stp-focal", "stp-leader", "syt-focal", "syt-leader", "mx-focal", "mx-leader", "snv-admin"):
        moments = got.per_moment(chat)
        assert moments and max(moments.values()) == 1, chat
    busiest = max(got.per_month("stp-focal").values())
    assert busiest <= 63 // 3, got.per_month("stp-focal")
    async with loaded.sessions() as s:  # before bundling each of these rows was a message of its own
        kinds = [k.value for k in (DeliveryKind.BEFORE, DeliveryKind.DUE, DeliveryKind.OVERDUE)]
        rows = (
            await s.scalars(
                select(t.Delivery.id)
                .join(t.ChatAccount, t.ChatAccount.id == t.Delivery.account_id)
                .where(t.ChatAccount.chat_id == "stp-focal", t.Delivery.kind.in_(kinds))
            )
        ).all()
    assert len(rows) > len(got.texts("stp-focal"))  # some moments carried several reports
    digests = got.texts("snv-admin")
    assert digests and max(len(d) for d in digests) <= 2000
    for at, chat, text in got.messages:
        assert not NESTED.search(text), (at, chat, text)
        if chat != "snv-admin":
            assert "Kế hoạch số" in text, (at, chat, text)
            assert "các báo cáo sau" in text or text.count("Báo cáo") >= 1
