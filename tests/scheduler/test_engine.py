"""The reminder engine end to end: real database, real APScheduler, time travel with time-machine.

The only fake is RecordingChannel (tests/fakes.py), standing in for the chat platform's servers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import func, select

from core.deadlines import VN_TZ, to_vn
from core.ports import PermanentSendError, RecipientBlockedError, TransientSendError
from core.types import CalendarDayInfo, DeliveryStatus, Platform, Role
from core.usecases import outbox, reminders
from core.usecases.rules import Rules
from models import tables as t
from scheduler.engine import JOB_PREFIX, ReminderEngine
from scheduler.sender import OutboxSender, RetryPolicy
from tests.conftest import Database
from tests.factories import add_person, submit
from tests.fakes import RecordingChannel

APRIL = "46/KH-UBND:thang:2023-04"


def vn(*args: int) -> datetime:
    return datetime(*args).replace(tzinfo=VN_TZ)  # type: ignore[arg-type]


@dataclass
class World:
    db: Database
    channel: RecordingChannel
    clock: time_machine.Traveller

    def service(self, rules: Rules | None = None) -> tuple[ReminderEngine, OutboxSender, AsyncIOScheduler]:
        """A fresh process: new scheduler, sender and engine over the same database."""
        sender = OutboxSender(self.db.uows, {Platform.CONSOLE: self.channel}, RetryPolicy(max_attempts=4))
        scheduler = AsyncIOScheduler(timezone=VN_TZ)
        engine = ReminderEngine(self.db.uows, rules or Rules(), sender, scheduler)
        return engine, sender, scheduler

    async def count(self, model: type, *where: object) -> int:
        async with self.db.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(vn(2023, 4, 6, 9, 0), tick=False) as coordinates:
        yield coordinates


@pytest.fixture
async def world(loaded: Database, traveller: time_machine.Traveller) -> AsyncIterator[World]:
    await add_person(loaded, "STP", Role.FOCAL, "Nguyễn Văn An", "stp-an")
    await add_person(loaded, "STP", Role.FOCAL, "Lê Thị Bình", "stp-binh", language="en")
    await add_person(loaded, "STP", Role.LEADER, "Trần Văn Cường", "stp-lead")
    await add_person(loaded, "UBND-NH", Role.FOCAL, "Hoàng Thị Dung", "nh-dung")
    await add_person(loaded, "SNV", Role.ADMIN, "Phạm Minh Em", "snv-admin")
    yield World(loaded, RecordingChannel(), traveller)


async def run_jobs(scheduler: AsyncIOScheduler, *job_ids: str) -> None:
    """Wake the real scheduler and wait until it has run every one of ``job_ids``."""
    pending = set(job_ids)
    done = asyncio.Event()
    errors: list[BaseException] = []

    def listener(event: JobExecutionEvent) -> None:
        if event.job_id in pending:
            if event.exception:
                errors.append(event.exception)
            pending.discard(event.job_id)
            if not pending:
                done.set()

    scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.wakeup()
    await asyncio.wait_for(done.wait(), timeout=20)
    scheduler.remove_listener(listener)
    assert not errors, errors


async def test_a_point_fires_at_its_instant(world: World) -> None:
    engine, sender, scheduler = world.service()
    world.clock.move_to(vn(2023, 4, 7, 7, 0))
    scheduler.start()
    try:
        await engine.start()
        job = scheduler.get_job(f"{JOB_PREFIX}{APRIL}:before:7")
        assert job is not None and job.next_run_time == vn(2023, 4, 7, 8, 0)
        # An hour early: nothing may go out (yesterday's missed digest is stale today). The wake-up runs
        # on the loop's next turn and submits due jobs right there; none may be submitted.
        submitted: list[str] = []
        scheduler.add_listener(lambda e: submitted.append(e.job_id), EVENT_JOB_SUBMITTED)
        scheduler.wakeup()
        for _ in range(3):
            await asyncio.sleep(0)
        assert submitted == [] and await world.count(t.Delivery) == 0

        world.clock.move_to(vn(2023, 4, 7, 8, 0, 1))
        await run_jobs(scheduler, job.id, f"{JOB_PREFIX}digest:2023-04-07")  # both due at 08:00
        stats = await sender.drain_once()
    finally:
        scheduler.shutdown(wait=False)
    assert stats.sent == 4  # two STP focal persons and Na Hang's, and the admin's 08:00 digest
    assert len(world.channel.to("snv-admin")) == 1 and "thứ Sáu, 7/4/2023" in world.channel.to("snv-admin")[0]
    an = world.channel.to("stp-an")
    assert len(an) == 1
    assert an[0].startswith("Kính gửi: Đồng chí Nguyễn Văn An, Sở Tư pháp.\n")
    # One request naming the agency, the report, where it goes and by when (issue 23); no "Nơi nhận".
    # The plan cited with its date and subject; the Saturday deadline given as the Monday the law runs it to, and
    # why, in the same sentence (issue 30).
    assert (
        "Thực hiện Kế hoạch số 46/KH-UBND ngày 14/3/2023 của Ủy ban nhân dân tỉnh Tuyên Quang về thực hiện công tác "
        "dân vận chính quyền năm 2023 trên địa bàn tỉnh Tuyên Quang, Sở Nội vụ đề nghị Sở Tư pháp gửi Báo cáo tháng "
        "4/2023 về Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp) chậm nhất trong ngày thứ Hai, 17/4/2023, vì ngày "
        "15/4/2023 là thứ Bảy, thời hạn được kéo dài theo Điều 148 Bộ luật Dân sự; còn 10 ngày."
    ) in an[0]
    assert "Nơi nhận" not in an[0]
    assert "“chậm nhất trong ngày 15 hàng tháng”" in an[0] and "/danop" in an[0]
    binh = world.channel.to("stp-binh")
    assert (
        binh[0].startswith("Dear Lê Thị Bình, Sở Tư pháp,")
        and "deadline: the end of Monday, 17/4/2023, as 15/4/2023 is Saturday" in binh[0]
    )
    assert world.channel.to("stp-lead") == []


async def test_submission_stops_the_reminders_of_that_period(world: World) -> None:
    engine, sender, _ = world.service()
    await submit(world.db, "STP", "thang:2023-04", vn(2023, 4, 10, 10, 0))
    world.clock.move_to(vn(2023, 4, 12, 8, 0))
    assert await engine.fire_key(f"{APRIL}:before:3", vn(2023, 4, 12, 8, 0)) == 1
    await sender.drain_once()
    assert [c for c, _ in world.channel.sent] == ["nh-dung"]


async def test_restart_after_an_outage_sends_each_missed_point_once(world: World) -> None:
    engine, _, scheduler = world.service()
    world.clock.move_to(vn(2023, 4, 6, 7, 0))
    scheduler.start()
    await engine.start()  # nothing due yet
    scheduler.shutdown(wait=False)
    assert await world.count(t.Delivery) == 0

    world.clock.move_to(vn(2023, 4, 7, 13, 0))  # down over the 08:00 point, back within the grace window
    for _ in range(2):  # and a second restart right after: nothing doubles
        engine, sender, scheduler = world.service()
        scheduler.start()
        await engine.start()
        await sender.drain_once()
        scheduler.shutdown(wait=False)
    # The 7/4 reminder and today's digest once each; the 6/4 digest (a day old) is stale.
    assert sorted(c for c, _ in world.channel.sent) == ["nh-dung", "snv-admin", "stp-an", "stp-binh"]
    assert await world.count(t.ReminderRun, t.ReminderRun.key == f"{APRIL}:before:7") == 1
    assert (
        await world.count(t.ReminderRun, t.ReminderRun.key == "digest:2023-04-06", t.ReminderRun.outcome == "stale")
        == 1
    )


async def test_a_long_outage_collapses_into_one_overdue_message_per_person(world: World) -> None:
    # Missed 7/4, 12/4, 14/4, 18/4 and 20/4 (all > 24 h old); the Saturday deadline ran to Monday 17/4 (Điều 148).
    world.clock.move_to(vn(2023, 4, 21, 12, 0))
    engine, sender, scheduler = world.service()
    scheduler.start()
    await engine.start()
    await sender.drain_once()
    scheduler.shutdown(wait=False)
    an = world.channel.to("stp-an")
    assert len(an) == 1 and "đã quá hạn 4 ngày làm việc" in an[0]
    lead = world.channel.to("stp-lead")
    assert len(lead) == 1 and "đồng chí chỉ đạo Sở Tư pháp gửi Báo cáo tháng 4/2023" in lead[0]
    assert "Sở Tư pháp chưa gửi báo cáo, đã quá hạn" in lead[0]
    assert len(world.channel.to("nh-dung")) == 1
    (digest,) = world.channel.to("snv-admin")  # today's 08:00 digest only; the older ones are stale
    assert "thứ Sáu, 21/4/2023" in digest
    runs = await world.count(t.ReminderRun)
    assert runs >= 6
    # Restarting again changes nothing.
    engine, sender, scheduler = world.service()
    scheduler.start()
    await engine.start()
    await sender.drain_once()
    scheduler.shutdown(wait=False)
    assert len(world.channel.to("stp-an")) == 1
    assert await world.count(t.ReminderRun) == runs


async def test_a_crash_between_writing_and_sending_loses_nothing(world: World) -> None:
    world.clock.move_to(vn(2023, 4, 7, 8, 0))
    engine, _, _ = world.service()
    assert await engine.fire_key(f"{APRIL}:before:7", vn(2023, 4, 7, 8, 0)) == 3
    # The process dies here: rows are written, nothing sent. Another dies mid-send, holding one row.
    async with world.db.uows() as uow:
        in_flight = await outbox.claim(uow, vn(2023, 4, 7, 8, 0), limit=1, platforms=[Platform.CONSOLE])
        await uow.commit()
    assert len(in_flight) == 1
    world.clock.move_to(vn(2023, 4, 7, 8, 1))
    _, restarted, _ = world.service()
    first = await restarted.drain_once()
    assert first.sent == 2  # the in-flight row is still leased
    world.clock.move_to(vn(2023, 4, 7, 8, 10))  # lease (5 min) over: released and sent
    second = await restarted.drain_once()
    assert second.sent == 1
    assert sorted(c for c, _ in world.channel.sent) == ["nh-dung", "stp-an", "stp-binh"]
    assert await world.count(t.Delivery, t.Delivery.status == DeliveryStatus.SENT.value) == 3


async def test_retry_after_delays_then_delivers(world: World) -> None:
    world.channel.failures["stp-an"] = [TransientSendError("429 Too Many Requests", retry_after=120)]
    world.clock.move_to(vn(2023, 4, 7, 8, 0))
    engine, sender, _ = world.service()
    await engine.fire_key(f"{APRIL}:before:7", vn(2023, 4, 7, 8, 0))
    stats = await sender.drain_once()
    assert (stats.sent, stats.retried) == (2, 1)
    world.clock.move_to(vn(2023, 4, 7, 8, 1, 30))  # 90 s: the platform asked for 120
    assert (await sender.drain_once()).sent == 0
    world.clock.move_to(vn(2023, 4, 7, 8, 2, 1))
    assert (await sender.drain_once()).sent == 1
    assert len(world.channel.to("stp-an")) == 1
    async with world.db.sessions() as s:
        row = await s.scalar(select(t.Delivery).where(t.Delivery.dedup_key.like("%before:7#1")))
        assert row is not None and row.attempts == 2 and row.status == "sent"


async def test_transient_errors_back_off_then_give_up(world: World) -> None:
    world.channel.failures["stp-an"] = [TransientSendError("timeout") for _ in range(10)]
    world.clock.move_to(vn(2023, 4, 7, 8, 0))
    engine, sender, _ = world.service()
    await engine.fire_key(f"{APRIL}:before:7", vn(2023, 4, 7, 8, 0))
    waits = []
    for _ in range(6):
        await sender.drain_once()
        async with world.db.sessions() as s:
            row = await s.scalar(select(t.Delivery).where(t.Delivery.dedup_key.like("%before:7#1")))
            assert row is not None
        if row.status == "failed":
            break
        waits.append((row.next_attempt_at - datetime.now(VN_TZ)).total_seconds())
        world.clock.move_to(row.next_attempt_at + timedelta(seconds=1))
    assert waits == [30, 60, 120]
    assert row is not None and row.status == "failed" and row.attempts == 4


async def test_blocked_recipient_is_recorded_never_retried_and_reported(world: World) -> None:
    world.channel.failures["nh-dung"] = [RecipientBlockedError("Forbidden: bot was blocked by the user")]
    world.channel.failures["stp-binh"] = [PermanentSendError("Bad Request: chat not found")]
    world.clock.move_to(vn(2023, 4, 12, 8, 0))
    engine, sender, _ = world.service()
    await engine.fire_key(f"{APRIL}:before:3", vn(2023, 4, 12, 8, 0))
    stats = await sender.drain_once()
    assert (stats.sent, stats.blocked, stats.failed) == (1, 1, 1)
    calls = world.channel.calls
    await sender.drain_once()
    assert world.channel.calls == calls  # never retried

    world.clock.move_to(vn(2023, 4, 13, 8, 0))
    await engine.fire_key("digest:2023-04-13", vn(2023, 4, 13, 8, 0))
    await engine.fire_key(f"{APRIL}:due:0", vn(2023, 4, 14, 8, 0))
    await sender.drain_once()
    assert world.channel.to("nh-dung") == []  # blocked accounts get nothing more
    digest = world.channel.to("snv-admin")
    assert len(digest) == 1
    assert "Tin nhắc hôm qua: 1 đã gửi, 1 lỗi, 1 bị chặn." in digest[0]
    assert "Hoàng Thị Dung (Ủy ban nhân dân huyện Na Hang)" in digest[0]
    assert (
        "• Báo cáo tháng 4/2023 theo Kế hoạch số 46/KH-UBND (hạn chót thứ Hai, 17/4/2023, vì ngày 15/4/2023 là "
        "thứ Bảy, theo Điều 148): 0 cơ quan gửi đúng hạn, "
        "0 cơ quan gửi chậm, "
        "24 cơ quan chưa gửi." in digest[0]
    )


async def test_digest_names_agencies_overdue_three_working_days(world: World) -> None:
    # April's Saturday deadline ran to Monday 17/4 (Điều 148): Tuesday's report is late, and Thursday 20/4 is the
    # third working day after the time allowed.
    for code, at in (("STP", vn(2023, 4, 14, 9)), ("STC", vn(2023, 4, 18, 9))):
        await submit(world.db, code, "thang:2023-04", at)
    world.clock.move_to(vn(2023, 4, 20, 8, 0))
    engine, sender, _ = world.service()
    await engine.fire_key("digest:2023-04-20", vn(2023, 4, 20, 8, 0))
    await sender.drain_once()
    (digest,) = world.channel.to("snv-admin")
    assert "1 cơ quan gửi đúng hạn, 1 cơ quan gửi chậm, 22 cơ quan chưa gửi" in digest
    overdue_line = next(line for line in digest.splitlines() if "Quá hạn:" in line)
    assert "Ủy ban nhân dân huyện Na Hang" in overdue_line and "Sở Tư pháp" not in overdue_line


async def test_reschedule_derives_jobs_from_the_database(world: World) -> None:
    engine, _, scheduler = world.service()
    world.clock.move_to(vn(2023, 4, 11, 9, 0))
    scheduler.start()
    try:
        assert await engine.reschedule() == 3
        assert sorted(j.id for j in scheduler.get_jobs()) == [
            f"{JOB_PREFIX}{APRIL}:before:3",
            f"{JOB_PREFIX}digest:2023-04-12",
            f"{JOB_PREFIX}digest:2023-04-13",
        ]
        # An ad-hoc request appears in the database: the next derivation picks it up.
        async with world.db.sessions.begin() as s:
            series = await s.scalar(select(t.ReportSeries).where(t.ReportSeries.code == "dotxuat"))
            stp = await s.scalar(select(t.Agency).where(t.Agency.code == "STP"))
            assert series and stp
            period = t.ReportPeriod(
                series_id=series.id,
                key="2023-04-a1",
                label="Báo cáo đột xuất về mưa lũ",
                opens_at=vn(2023, 4, 11, 9, 0),
                due_at=vn(2023, 4, 13, 23, 59, 59),
            )
            s.add(period)
            await s.flush()
            s.add(t.PeriodAgency(period_id=period.id, agency_id=stp.id))
        assert await engine.reschedule() == 5
        adhoc = f"{JOB_PREFIX}46/KH-UBND:dotxuat:2023-04-a1"
        assert {f"{adhoc}:before:1", f"{adhoc}:due:0"} <= {j.id for j in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)


async def test_friday_reminder_says_the_deadline_falls_on_saturday(world: World) -> None:
    """15/4/2023 is a Saturday: the due-day reminder comes on Friday 14/04 and says the time runs to Monday's end
    (Bộ luật Dân sự, Điều 148 khoản 5)."""
    world.clock.move_to(vn(2023, 4, 14, 8, 0))
    engine, sender, _ = world.service()
    assert await engine.fire_key(f"{APRIL}:due:0", vn(2023, 4, 14, 8, 0)) == 3
    await sender.drain_once()
    (an,) = world.channel.to("stp-an")
    assert an.startswith("Kính gửi: Đồng chí Nguyễn Văn An, Sở Tư pháp.")
    assert "Thực hiện Kế hoạch số 46/KH-UBND ngày 14/3/2023 của Ủy ban nhân dân tỉnh Tuyên Quang về " in an
    assert (
        "chậm nhất trong ngày thứ Hai, 17/4/2023, vì ngày 15/4/2023 là thứ Bảy, thời hạn được kéo dài theo Điều 148 "
        "Bộ luật Dân sự; còn 3 ngày." in an
    )
    assert "thứ Bảy, 15/4/2023" not in an  # the day off is never given as the last day
    assert "trong ngày làm việc hôm nay" not in an  # no longer told both "tomorrow" and "today"
    assert "Nơi nhận" not in an and "về Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp)" in an
    (binh,) = world.channel.to("stp-binh")
    assert "the end of Monday, 17/4/2023, as 15/4/2023 is Saturday and the time runs on under Article 148" in binh


async def test_kept_as_written_the_friday_reminder_asks_for_the_report_today(world: World) -> None:
    world.clock.move_to(vn(2023, 4, 14, 8, 0))
    engine, sender, _ = world.service(Rules(extend_day_off=False))
    assert await engine.fire_key(f"{APRIL}:due:0", vn(2023, 4, 14, 8, 0)) == 3
    await sender.drain_once()
    (an,) = world.channel.to("stp-an")
    assert "chậm nhất trong ngày làm việc hôm nay, vì hạn chót 15/4/2023 là thứ Bảy; hôm nay là ngày làm việc" in an
    assert "Điều 148" not in an


async def test_a_job_whose_point_the_calendar_moved_is_not_marked_handled(world: World) -> None:
    """Scheduled for 12/04 before Sở Nội vụ made 12/04 a day off: the old job must not swallow the point."""
    world.clock.move_to(vn(2023, 4, 10, 9, 0))
    engine, sender, _ = world.service()
    async with world.db.uows() as uow:
        await uow.calendar.put(CalendarDayInfo(date(2023, 4, 12), "off", "Nghỉ đột xuất", "", vn(2023, 4, 10), "cli"))
        await uow.commit()
    world.clock.move_to(vn(2023, 4, 12, 8, 0))
    assert await engine.fire_key(f"{APRIL}:before:3", vn(2023, 4, 12, 8, 0)) == 3  # moved to 11/04, now past
    assert await world.count(t.ReminderRun, t.ReminderRun.key == f"{APRIL}:before:3") == 1
    await sender.drain_once()
    assert len(world.channel.to("stp-an")) == 1


async def test_the_running_scheduler_follows_a_calendar_change_from_another_process(world: World) -> None:
    world.clock.move_to(vn(2023, 4, 10, 9, 0))
    engine, _, scheduler = world.service()
    scheduler.start()
    try:
        await engine.start()
        job = scheduler.get_job(f"{JOB_PREFIX}{APRIL}:before:3")
        assert job is not None and to_vn(job.next_run_time) == vn(2023, 4, 12, 8, 0)
        resync = scheduler.get_job("resync")
        assert resync is not None and resync.trigger.interval.total_seconds() == 5 * 60
        async with world.db.uows() as uow:  # as `nhacviec calendar add-off 2023-04-12` does, elsewhere
            await uow.calendar.put(CalendarDayInfo(date(2023, 4, 12), "off", "Nghỉ", "", vn(2023, 4, 10), "cli"))
            await uow.commit()
        await engine.reschedule()  # what the resync job runs
        job = scheduler.get_job(f"{JOB_PREFIX}{APRIL}:before:3")
        assert job is not None and to_vn(job.next_run_time) == vn(2023, 4, 11, 8, 0)
    finally:
        scheduler.shutdown(wait=False)


async def test_the_text_preview_is_what_the_point_sends(world: World) -> None:
    """`nhacviec reminders --text` (issue 23) shows each person the exact text the point then sends them, in their
    language; an agency with nobody registered is shown addressed to its focal person."""
    at = vn(2023, 4, 7, 8, 0)
    async with world.db.uows() as uow:
        preview = await reminders.preview_texts(uow, Rules(), at, at)
    assert await world.count(t.Delivery) == 0  # a preview writes nothing
    engine, sender, _ = world.service()
    world.clock.move_to(vn(2023, 4, 7, 8, 0, 1))
    await engine.fire_key(f"{APRIL}:before:7", at)
    await sender.drain_once()
    shown = {x.recipient: x.text for x in preview if x.point.key == f"{APRIL}:before:7" and x.recipient}
    assert shown["Nguyễn Văn An"] == world.channel.to("stp-an")[0]
    assert shown["Lê Thị Bình"] == world.channel.to("stp-binh")[0] and shown["Lê Thị Bình"].startswith("Dear")
    assert shown["Hoàng Thị Dung"] == world.channel.to("nh-dung")[0]
    nobody = [x for x in preview if x.point.key == f"{APRIL}:before:7" and x.agency == "Sở Tài chính"]
    assert len(nobody) == 1 and nobody[0].text.startswith("Kính gửi: Cán bộ đầu mối của Sở Tài chính.")
    assert await world.count(t.Delivery) == 3  # the point's own: two of Sở Tư pháp, one of Na Hang
