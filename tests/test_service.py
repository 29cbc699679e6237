"""`nhacviec run` as a process, as an operator runs it: its HTTP server (/healthz, /readyz, /metrics), a
graceful stop in the middle of a fan-out, and one process per SQLite file. Telegram is the Bot API
stand-in (tests/telegram_standin.py), the only fake; the database is real (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from models import tables as t
from tests.cli_runner import ENTRY
from tests.conftest import Database
from tests.factories import queue_messages
from tests.service_runner import Service, free_port, metric, service_env
from tests.telegram_standin import BotApiStandIn, FloodRules

pytestmark = pytest.mark.proof(seconds=5)  # `nhacviec run` as real processes

TOKEN = "7000000002:AAH-service-test-token-0123456789abcd"
SENT = 'channel="telegram",outcome="sent"'


def _telegram_env(db: Database, api: BotApiStandIn, **more: str) -> dict[str, str]:
    return service_env(db.env, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url, **more)


async def _statuses(db: Database) -> dict[str, int]:
    async with db.sessions() as s:
        rows = (await s.execute(select(t.Delivery.status, func.count()).group_by(t.Delivery.status))).all()
    return {str(status): int(n) for status, n in rows}


@pytest.mark.proof(seconds=17)
async def test_health_readiness_metrics_and_a_graceful_stop_mid_fan_out(loaded: Database, tmp_path: Path) -> None:
    api = BotApiStandIn(TOKEN, FloodRules(latency=0.05))
    api.start()
    port = free_port()
    service = Service(_telegram_env(loaded, api, HTTP_PORT=str(port)), tmp_path).start()
    try:
        service.wait_for_line("nhacviec is running with channels: console, telegram")
        assert service.get("/healthz").status_code == 200
        ready = service.get("/readyz")
        assert ready.status_code == 200 and ready.json()["channels"] == "telegram", ready.text
        first = service.metrics()
        assert metric(first, "nhacviec_leader") == 1.0
        assert metric(first, "nhacviec_sends_total", SENT) in (None, 0.0)

        await queue_messages(loaded, range(1, 151))
        service.wait_until(lambda: len(api.delivered) >= 40, 30, "40 messages sent")
        during = service.metrics()
        sent_during = metric(during, "nhacviec_sends_total", SENT) or 0.0
        assert 0 < sent_during < 150, during  # the counter moves while the fan-out runs
        assert (metric(during, "nhacviec_outbox_waiting") or 0) > 0
        assert metric(during, "nhacviec_deliveries", 'kind="due",status="sent"') is not None, (
            service.output[-3000:] + during
        )

        code, seconds = service.terminate()  # SIGTERM in the middle of the fan-out
        assert code == 0 and seconds < 10, (code, seconds, service.output[-2000:])
        assert "stopping" in service.output
        stopped = await _statuses(loaded)
        assert stopped.get("sending", 0) == 0, stopped  # what was in flight finished or went back to the queue
        assert stopped.get("sent", 0) == len(api.delivered) and stopped.get("pending", 0) > 0, stopped

        again = Service(_telegram_env(loaded, api, HTTP_PORT=str(port)), tmp_path, "restart").start()
        try:
            again.wait_until(lambda: len(api.delivered) >= 150, 60, "the rest of the fan-out")
            again.wait_until(lambda: metric(again.metrics(), "nhacviec_outbox_waiting") == 0.0, 10, "an empty queue")
        finally:
            again.terminate()
        chats = [chat for chat, _, _ in api.delivered]
        assert sorted(chats) == list(range(1, 151))  # every one once: nothing lost, nothing doubled
    finally:
        service.close()
        api.stop()


def test_a_second_run_on_the_same_sqlite_file_is_refused_and_names_the_first(tmp_path: Path) -> None:
    env = service_env({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'one.db'}"}, HTTP_PORT="0")
    assert subprocess.run([str(ENTRY), "db", "upgrade"], cwd=tmp_path, env=env, capture_output=True).returncode == 0
    first = Service(env, tmp_path, "first").start()
    try:
        first.wait_for_line("nhacviec is running")
        assert first.proc is not None
        second = subprocess.run([str(ENTRY), "run"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        said = second.stdout + second.stderr
        assert second.returncode == 1, said
        assert f"pid {first.proc.pid}" in said and "one.db" in said and "Traceback" not in said, said
        assert first.proc.poll() is None  # the first one runs on, untouched
        assert first.terminate()[0] == 0
    finally:
        first.close()
    third = Service(env, tmp_path, "after").start()  # once the first has stopped, the file is free again
    try:
        third.wait_for_line("nhacviec is running")
    finally:
        third.close()


@pytest.mark.parametrize("backend", ["sqlite"])  # the link and the page are the subject, not the database
async def test_the_operators_login_link_opens_the_running_dashboard(loaded: Database, tmp_path: Path) -> None:
    port = free_port()
    env = service_env(loaded.env, HTTP_PORT=str(port))
    service = Service(env, tmp_path).start()
    try:
        service.wait_for_line("nhacviec is running")
        assert any("dashboard: http://127.0.0.1:" in line and "login-link" in line for line in service.lines)
        made = subprocess.run(
            [str(ENTRY), "login-link", "--as", "SNV", "--role", "admin"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert made.returncode == 0, made.stderr
        link = made.stdout.strip()
        assert link.startswith(f"http://127.0.0.1:{port}/dang-nhap?t="), link
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=True) as browser:
            signed_in = browser.get(link)
            assert signed_in.status_code == 200 and "Tình hình thực hiện báo cáo" in signed_in.text
            assert str(signed_in.url) == f"http://127.0.0.1:{port}/"  # redirected: no token in the address
            assert browser.get(link).status_code == 403  # the link was for one use
            english = browser.post("/ngon-ngu", data={"lang": "en", "csrf": "wrong"})
            assert english.status_code == 403  # no CSRF token: refused
    finally:
        service.close()
