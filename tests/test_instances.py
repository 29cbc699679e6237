"""Several `nhacviec run` instances on one PostgreSQL database, as real processes: exactly one leads; killed,
another takes over and fires the reminder point that falls in the switch once; the database away for a
minute, an instance keeps running, says it is not ready, and recovers by itself with nothing lost.
Telegram is the Bot API stand-in (the only fake); the database cut is a TCP proxy the test controls."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
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

pytestmark = pytest.mark.proof  # two real processes on PostgreSQL

TOKEN = "7000000004:AAH-instances-test-token-0123456789ab"
FOCAL_CHAT = 5001
ON_POSTGRES = pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])


def _leads(service: Service) -> bool:
    try:
        return metric(service.metrics(), "nhacviec_leader") == 1.0
    except Exception:  # not answering (yet, or any more)
        return False


def _instant() -> datetime:
    """A minute boundary 35 to 95 s away that a policy can use (not 23:59, Vietnam time)."""
    at = (utcnow() + timedelta(seconds=95)).replace(second=0, microsecond=0)
    return at + timedelta(minutes=1) if to_vn(at).strftime("%H:%M") == "23:59" else at


async def _overdue_point_at(db: Database, at: datetime) -> str:
    """An ad-hoc report of Sở Tư pháp due the day before ``at``'s day, whose first overdue reminder falls at
    ``at`` (the next working day, made one if need be); returns the reminder's key prefix."""
    day = to_vn(at).date()
    async with db.uows() as uow:
        if not WorkCalendar.shipped().is_working_day(day):
            await uow.calendar.put(CalendarDayInfo(day, "workday", "kiểm thử", "test", utcnow(), "test"))
        series = await uow.periods.latest_adhoc_series()
        assert series is not None
        due = datetime.combine(day - timedelta(days=1), datetime.min.time(), VN_TZ) + timedelta(hours=17)
        period = await uow.periods.add_period(
            series.id, f"{day:%Y-%m-%d}", "Báo cáo đột xuất: thử", utcnow(), due, ["STP"]
        )
        await uow.commit()
    await add_person(db, "STP", Role.FOCAL, "Lê Văn Sơn", str(FOCAL_CHAT), platform="telegram")
    return f"{period.id}"


def _policy_env(db: Database, api: BotApiStandIn, at: datetime, **more: str) -> dict[str, str]:
    return service_env(
        db.env,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        REMINDER_SEND_TIME=to_vn(at).strftime("%H:%M"),
        REMINDER_OFFSETS_DAYS="[0]",
        WORKING_HOURS_START="00:00",
        WORKING_HOURS_END="23:59",
        MISSED_GRACE_HOURS="0.5",
        LEADER_CHECK_SECONDS="2",
        **more,
    )


@ON_POSTGRES
async def test_the_leader_killed_before_a_reminder_another_takes_over_and_sends_it_once(
    loaded: Database, tmp_path: Path
) -> None:
    api = BotApiStandIn(TOKEN)
    api.start()
    at = _instant()
    await _overdue_point_at(loaded, at)
    env = _policy_env(loaded, api, at)
    services = [Service({**env, "HTTP_PORT": str(free_port())}, tmp_path, f"instance {i}").start() for i in (1, 2)]
    try:
        for s in services:
            s.wait_for_line("nhacviec is running")
        services[0].wait_until(lambda: sum(_leads(s) for s in services) == 1, 20, "one leader")
        time.sleep(3)
        assert [_leads(s) for s in services].count(True) == 1  # exactly one, and it stays so
        leader, other = sorted(services, key=_leads, reverse=True)
        assert to_vn(utcnow()) < to_vn(at) - timedelta(seconds=20), "the set-up took too long for the instant"
        time.sleep(max(0.0, (at - timedelta(seconds=20) - utcnow()).total_seconds()))
        leader.kill()  # 20 s before the reminder instant
        took_over = other.wait_until(lambda: _leads(other), 30, "the other instance leads")
        other.wait_until(lambda: api.sent(FOCAL_CHAT), 60, "the reminder")
        when = next(w for chat, _, w in api.delivered if chat == FOCAL_CHAT)
        arrived = datetime.fromtimestamp(time.time() - (time.monotonic() - when), UTC)
        time.sleep(5)  # a second copy would come now
        sent = api.sent(FOCAL_CHAT)
        late = (arrived - at).total_seconds()
        print(
            f"\nfailover: the other instance led {took_over:.1f} s after the kill;"
            f" the reminder came {late:.1f} s after its instant"
        )
        assert len(sent) == 1, sent
        assert "quá hạn" in sent[0]["text"], sent[0]["text"]
        assert late <= 30, late
        assert took_over <= 30
    finally:
        for s in services:
            s.close()
        api.stop()


@ON_POSTGRES
async def test_a_minute_without_the_database_the_service_runs_on_and_recovers_with_nothing_lost(
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
        while time.monotonic() - cut_at < 60:
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
