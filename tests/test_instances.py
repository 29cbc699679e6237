"""Several `nhacviec run` instances on one PostgreSQL database, as real processes: exactly one leads; killed,
another takes over and fires the reminder point that falls in the switch once; the database away (15 s: many
leader checks and readiness probes), an instance keeps running, says it is not ready, and recovers by itself
with nothing lost.
Telegram is the Bot API stand-in (the only fake); the database cut is a TCP proxy the test controls."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.engine import make_url

from core.deadlines import VN_TZ, to_vn, utcnow
from core.planning.calendar import WorkCalendar
from core.types import CalendarDayInfo, Role
from models import tables as t
from tests.conftest import Database
from tests.factories import add_person, queue_messages
from tests.service_runner import Service, free_port, metric, service_env
from tests.tcp_proxy import TcpProxy
from tests.telegram_standin import BotApiStandIn
from tests.waiting import until

pytestmark = pytest.mark.proof(seconds=30)  # real processes on PostgreSQL

TOKEN = "7000000004:AAH-instances-test-token-0123456789ab"
FOCAL_CHAT = 5001
ON_POSTGRES = pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])


def _leads(service: Service) -> bool:
    try:
        return metric(service.metrics(), "nhacviec_leader") == 1.0
    except Exception:  # not answering (yet, or any more)
        return False


def _one_leader(services: list[Service]) -> bool:
    return sum(_leads(s) for s in services) == 1


def _instant(ahead: float = 40) -> datetime:
    """A whole second ``ahead`` seconds away (reminder times are set to the second here), not around midnight,
    Vietnam time (the point must fall on the day the test set up)."""
    at = (utcnow() + timedelta(seconds=ahead)).replace(microsecond=0)
    return at + timedelta(minutes=2) if to_vn(at).strftime("%H:%M") >= "23:58" else at


async def _overdue_point_at(db: Database, at: datetime, attempt: int) -> None:
    """An ad-hoc report of Sở Tư pháp due on the working day before ``at``'s day, whose first overdue reminder falls
    at ``at`` (the next working day, made one if need be; a due day that is a working day is not run on by
    Điều 148)."""
    day = to_vn(at).date()
    work = WorkCalendar.shipped()
    async with db.uows() as uow:
        if not work.is_working_day(day):
            await uow.calendar.put(CalendarDayInfo(day, "workday", "kiểm thử", "test", utcnow(), "test"))
        series = await uow.periods.latest_adhoc_series()
        assert series is not None
        due_day = work.previous_working_day(day - timedelta(days=1))
        due = datetime.combine(due_day, datetime.min.time(), VN_TZ) + timedelta(hours=17)
        await uow.periods.add_period(series.id, f"{day:%Y-%m-%d}-{attempt}", _label(attempt), utcnow(), due, ["STP"])
        await uow.commit()


async def _forget(db: Database, attempt: int) -> None:
    """The period of an abandoned attempt, gone (the test's own clean-up of the rows it wrote)."""
    async with db.sessions.begin() as session:
        ids = select(t.ReportPeriod.id).where(t.ReportPeriod.label == _label(attempt))
        await session.execute(delete(t.PeriodAgency).where(t.PeriodAgency.period_id.in_(ids)))
        await session.execute(delete(t.ReportPeriod).where(t.ReportPeriod.label == _label(attempt)))


def _label(attempt: int) -> str:
    return f"Báo cáo đột xuất: lần thử {attempt + 1}"


def _policy_env(db: Database, api: BotApiStandIn, at: datetime, **more: str) -> dict[str, str]:
    return service_env(
        db.env,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        REMINDER_SEND_TIME=to_vn(at).strftime("%H:%M:%S"),
        REMINDER_OFFSETS_DAYS="[0]",
        WORKING_HOURS_START="00:00",
        WORKING_HOURS_END="23:59",
        MISSED_GRACE_HOURS="0.5",
        LEADER_CHECK_SECONDS="2",
        **more,
    )


OUTAGE = 15  # seconds without the database: many leader checks (2 s) and readiness probes (3 s) fail in it
KILL_BEFORE = 10  # seconds before the reminder's instant the leader is killed
SET_UP = 25  # seconds the two starts and the election may take before the kill (else the instant moves on)


@ON_POSTGRES
@pytest.mark.proof(seconds=25)
async def test_the_leader_killed_before_a_reminder_another_takes_over_and_sends_it_once(
    loaded: Database, tmp_path: Path
) -> None:
    api = BotApiStandIn(TOKEN)
    api.start()
    await add_person(loaded, "STP", Role.FOCAL, "Lê Văn Sơn", str(FOCAL_CHAT), platform="telegram")
    services: list[Service] = []
    try:
        for attempt in range(3):  # a machine too busy to start both in time gets a later instant, not a failure
            at = _instant(KILL_BEFORE + SET_UP)
            await _overdue_point_at(loaded, at, attempt)  # a period of its own: a point of its own
            env = _policy_env(loaded, api, at)
            services = [
                Service({**env, "HTTP_PORT": str(free_port())}, tmp_path, f"instance {i}").start() for i in (1, 2)
            ]
            for s in services:
                s.wait_for_line("nhacviec is running")
            services[0].wait_until(partial(_one_leader, list(services)), 20, "one leader")
            leader, other = sorted(services, key=_leads, reverse=True)
            left = (at - timedelta(seconds=KILL_BEFORE) - utcnow()).total_seconds()
            if left > 0:
                break
            for s in services:
                s.close()
            await _forget(loaded, attempt)  # its point may have come due meanwhile: no one is to be told of it
        else:
            raise AssertionError("the two instances never started within the set-up time")
        time.sleep(left)
        assert [_leads(s) for s in services].count(True) == 1  # still exactly one, up to the kill
        leader.kill()
        took_over = other.wait_until(lambda: _leads(other), 30, "the other instance leads")
        this = _label(attempt)
        other.wait_until(lambda: any(this in m["text"] for m in api.sent(FOCAL_CHAT)), 60, "the reminder")
        when = next(w for chat, text, w in api.delivered if chat == FOCAL_CHAT and this in text)
        arrived = datetime.fromtimestamp(time.time() - (time.monotonic() - when), UTC)
        # The point is recorded as handled with its one delivery, and nothing waits in the outbox: a second copy
        # could only come from a second firing, which the recorded point forbids.
        await until(lambda: _settled(loaded), "the point recorded and the outbox empty")
        sent = [m for m in api.sent(FOCAL_CHAT) if this in m["text"]]
        late = (arrived - at).total_seconds()
        print(
            f"\nfailover: the other instance led {took_over:.1f} s after the kill;"
            f" the reminder came {late:.1f} s after its instant (attempt {attempt + 1})"
        )
        assert len(sent) == 1, sent
        assert "quá hạn" in sent[0]["text"], sent[0]["text"]
        assert late <= 30, late
        assert took_over <= 30
    finally:
        for s in services:
            s.close()
        api.stop()


async def _settled(db: Database) -> bool:
    """The overdue point is recorded as fired, and no delivery waits or is being sent."""
    async with db.sessions() as session:
        fired = await session.scalar(
            select(func.count()).select_from(t.ReminderRun).where(t.ReminderRun.outcome == "fired")
        )
        waiting = await session.scalar(
            select(func.count()).select_from(t.Delivery).where(t.Delivery.status.in_(["pending", "sending"]))
        )
    return bool(fired) and waiting == 0


@ON_POSTGRES
async def test_the_database_away_the_service_runs_on_and_recovers_with_nothing_lost(
    loaded: Database, tmp_path: Path
) -> None:
    api = BotApiStandIn(TOKEN)
    api.start()
    url = make_url(loaded.url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(port=proxy.port).render_as_string(hide_password=False)
    env = service_env(
        {**loaded.env, "DATABASE_URL": through},
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        HTTP_PORT=str(free_port()),
        LEADER_CHECK_SECONDS="2",
    )
    service = Service(env, tmp_path).start()
    try:
        service.wait_for_line("nhacviec is running")
        await queue_messages(loaded, range(1, 21), tag="trước")
        service.wait_until(lambda: len(api.delivered) >= 20, 30, "the messages before the outage")
        assert service.answers("/readyz", 200)

        proxy.cut()
        cut_at = time.monotonic()
        await queue_messages(loaded, range(21, 51), tag="trong")  # written while the service cannot see them
        not_ready = service.wait_until(lambda: service.answers("/readyz", 503), 20, "/readyz 503")
        service.wait_until(lambda: not _leads(service), 20, "the lead given up")
        while time.monotonic() - cut_at < OUTAGE:
            assert service.proc is not None and service.proc.poll() is None, service.output[-3000:]
            assert service.answers("/healthz", 200)  # alive all along
            time.sleep(2)
        proxy.restore()
        ready_again = service.wait_until(lambda: service.answers("/readyz", 200), 30, "/readyz 200 again")
        service.wait_until(lambda: len(api.delivered) >= 50, 30, "the messages queued during the outage")
        service.wait_until(lambda: _leads(service), 20, "the lead taken again")
        print(f"\noutage: /readyz 503 {not_ready:.1f} s after the cut; 200 again {ready_again:.1f} s after it ended")
        chats = sorted(chat for chat, _, _ in api.delivered)
        assert chats == list(range(1, 51))  # every message once
        async with loaded.sessions() as s:
            left = (await s.scalars(select(t.Delivery.status).where(t.Delivery.status != "sent"))).all()
        assert left == []
        assert service.terminate()[0] == 0
    finally:
        service.close()
        proxy.close()
        api.stop()
