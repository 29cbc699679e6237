"""`nhacviec reminders` (the preview Sở Nội vụ checks a plan with) and `nhacviec run`, through the real entry point."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import holidays
import pytest
from sqlalchemy import func, select

from core.types import Role
from models import tables
from nhacviec.config import Settings
from nhacviec.service import Timing, run_service
from tests.cli_runner import ENTRY, run_cli
from tests.conftest import PLAN_46, Database
from tests.factories import add_person
from tests.telegram_standin import BotApiStandIn
from tests.waiting import until

pytestmark = pytest.mark.skipif(not ENTRY.exists(), reason="the nhacviec script is not installed (run make test)")
VN_HOLIDAYS = holidays.country_holidays("VN", years=2023)


def _days(points: list[dict[str, object]], label: str, kinds: tuple[str, ...]) -> list[date]:
    return [datetime.fromisoformat(str(p["at"])).date() for p in points if p["period"] == label and p["kind"] in kinds]


def test_plan_46_preview_for_2023(database: Database, tmp_path: Path) -> None:
    env = database.env
    assert run_cli(["import-plan", str(PLAN_46)], env, tmp_path).code == 0
    result = run_cli(["reminders", "--from", "2023-03-14", "--to", "2023-12-31", "--json"], env, tmp_path)
    assert result.code == 0, result.err
    points = result.json()
    assert {p["kind"] for p in points} == {"before", "due", "overdue", "escalation", "digest"}
    for p in points:
        at = datetime.fromisoformat(p["at"])
        assert at.utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]
        assert at.weekday() < 5 and at.date() not in VN_HOLIDAYS, p
        assert set(p) >= {"at", "kind", "period", "due_at", "agencies"}

    before = ("before", "due")
    assert _days(points, "Báo cáo tháng 4/2023", before) == [
        date(2023, 4, 7),
        date(2023, 4, 12),
        date(2023, 4, 14),
    ]
    assert _days(points, "Báo cáo tháng 10/2023", before) == [
        date(2023, 10, 6),
        date(2023, 10, 12),
        date(2023, 10, 13),
    ]
    half = [p for p in points if p["period"] == "Báo cáo 6 tháng đầu năm 2023" and p["kind"] in before]
    assert half and all(p["due_at"] == "2023-05-24T23:59:59+07:00" for p in half)
    assert max(_days(points, "Báo cáo 6 tháng đầu năm 2023", before)) <= date(2023, 5, 24)
    assert max(_days(points, "Báo cáo năm 2023", before)) <= date(2023, 11, 24)

    # Thanh tra tỉnh confirms April on 12/4 at 10:00: nothing of April reaches it afterwards.
    assert run_cli(["submit", "TTRA", "2023-04", "--at", "2023-04-12T10:00:00+07:00"], env, tmp_path).code == 0
    ttra = run_cli(
        ["reminders", "--from", "2023-03-14", "--to", "2023-12-31", "--agency", "TTRA", "--json"],
        env,
        tmp_path,
    ).json()
    april = [datetime.fromisoformat(p["at"]) for p in ttra if p["period"] == "Báo cáo tháng 4/2023"]
    assert april == [
        datetime.fromisoformat("2023-04-07T08:00:00+07:00"),
        datetime.fromisoformat("2023-04-12T08:00:00+07:00"),
    ]
    assert all(p["agencies"] == ["TTRA"] for p in ttra)
    others = run_cli(["reminders", "--from", "2023-04-13", "--to", "2023-04-30", "--json"], env, tmp_path).json()
    assert all("TTRA" not in p["agencies"] for p in others if p["period"] == "Báo cáo tháng 4/2023")
    assert any("STP" in p["agencies"] for p in others if p["period"] == "Báo cáo tháng 4/2023")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["reminders", "--from", "2023-12-31", "--to", "2023-01-01"], "--to must not be before --from"),
        (["reminders", "--from", "31/12/2023", "--to", "2024-01-01"], "bad date"),
        (
            ["reminders", "--from", "2023-01-01", "--to", "2023-02-01", "--agency", "ZZZ"],
            "unknown agency code",
        ),
    ],
)
def test_reminders_bad_arguments(database: Database, tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli(args, database.env, tmp_path)
    assert result.code == 2 and message in result.err


def test_bad_calendar_file_is_reported(database: Database, tmp_path: Path) -> None:
    cal = tmp_path / "lich.toml"
    cal.write_text("[[days_off]]\ndate = 'thứ Hai'\n", encoding="utf-8")
    result = run_cli(
        ["reminders", "--from", "2023-01-01", "--to", "2023-02-01"],
        {**database.env, "CALENDAR_FILE": str(cal)},
        tmp_path,
    )
    assert result.code == 2 and str(cal) in result.err


@pytest.mark.proof(seconds=3)  # `nhacviec run` in a subprocess
def test_run_starts_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_"))}
    assert run_cli(["db", "upgrade"], {}, tmp_path).code == 0
    assert run_cli(["import-plan", str(PLAN_46)], {}, tmp_path).code == 0
    proc = subprocess.Popen(
        [str(ENTRY), "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        lines: list[str] = []
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "nhacviec is running" in line:
                break
        assert any("nhacviec is running with channels: console" in line for line in lines), lines
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "stopping" in rest


@pytest.mark.proof(seconds=3)  # `nhacviec run` in a subprocess
def test_run_refuses_an_out_of_date_schema(tmp_path: Path) -> None:
    result = run_cli(["run"], {}, tmp_path, timeout=30, subprocess=True)
    assert result.code == 1 and "nhacviec db upgrade" in result.err


TOKEN = "7000000001:AAHsecretHalfOfTheToken_0123456789"


class _Rejecting(BotApiStandIn):
    """A Bot API stand-in that refuses the token, as Telegram answers a revoked one (the process edge)."""

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}


def _run_env(base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_"))}
    return {**env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url}


@pytest.mark.proof(seconds=3)  # `nhacviec run` in a subprocess
def test_a_rejected_telegram_token_stops_the_start_without_showing_it(tmp_path: Path) -> None:
    """Issue 12, finding 1: the token was printed in clear when the Bot API answered 401."""
    assert run_cli(["db", "upgrade"], {}, tmp_path).code == 0
    api = _Rejecting(TOKEN)
    api.start()
    try:
        proc = subprocess.run(
            [str(ENTRY), "run"], cwd=tmp_path, env=_run_env(api.base_url), capture_output=True, text=True, timeout=60
        )
    finally:
        api.stop()
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Telegram từ chối TELEGRAM_BOT_TOKEN" in output
    assert TOKEN not in output and TOKEN.split(":", 1)[1] not in output and "Traceback" not in output


async def test_an_unreachable_telegram_leaves_the_rest_running_and_is_retried(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 12, finding 13: the whole service used to exit when the Bot API could not be reached. The service runs
    in this process with its retry delay shortened (``Timing``), so the test waits for the retries, not a timer."""
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/bot"
    settings = Settings(
        database_url=database.url,
        database_schema=database.schema,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=closed,
        http_port=None,
    )
    caplog.set_level(logging.INFO, "nhacviec")
    stop = asyncio.Event()
    timing = Timing(telegram_retry=0.05, telegram_retry_cap=0.1)
    service = asyncio.create_task(run_service(settings, stop, interactive=False, timing=timing))
    try:

        def said(text: str) -> int:
            return sum(text in r.getMessage() for r in caplog.records)

        async def retried() -> bool:
            return said("Telegram cannot be reached") >= 3

        await until(retried, "three attempts to reach Telegram")
        assert said("nhacviec is running with channels: console, telegram") == 1
        assert not service.done()  # still running: console and reminders carry on
    finally:
        stop.set()
        await asyncio.wait_for(service, 30)
    assert TOKEN not in caplog.text and TOKEN.split(":", 1)[1] not in caplog.text


async def test_the_texts_of_a_window_for_one_agency(database: Database, tmp_path: Path) -> None:
    """`reminders --text` (issue 23): the exact texts, a person's in their language, nothing written or sent."""
    env = database.env
    assert run_cli(["import-plan", str(PLAN_46)], env, tmp_path).code == 0
    await add_person(database, "STP", Role.FOCAL, "Nguyễn Văn An", "stp-an")
    result = run_cli(
        ["reminders", "--from", "2023-04-10", "--to", "2023-04-14", "--agency", "STP", "--text"], env, tmp_path
    )
    assert result.code == 0, result.err
    blocks = [b for b in result.out.split("── ") if b.strip()]
    assert len(blocks) == 2  # the reminder two working days before (Wednesday 12/4) and the one on Friday 14/4
    assert blocks[0].startswith("08:00 thứ Tư, 12/4/2023 · nhắc trước hạn · Sở Tư pháp · Nguyễn Văn An (vi)")
    assert "Kính gửi: Đồng chí Nguyễn Văn An, Sở Tư pháp." in blocks[0]
    assert "Sở Nội vụ đề nghị Sở Tư pháp gửi Báo cáo tháng 4/2023 về Ủy ban nhân dân tỉnh (qua Sở Nội vụ tổng hợp)" in (
        " ".join(blocks[0].split())
    )
    assert "Nơi nhận" not in result.out and "/04/" not in result.out  # one request; one date style
    as_json = run_cli(
        ["reminders", "--from", "2023-04-10", "--to", "2023-04-14", "--agency", "UBND-NH", "--text", "--json"],
        env,
        tmp_path,
    ).json()
    assert [x["recipient"] for x in as_json] == [None, None]  # nobody registered in Na Hang
    assert as_json[0]["text"].startswith("Kính gửi: Cán bộ đầu mối của Ủy ban nhân dân huyện Na Hang.")
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(tables.Delivery)) == 0


async def test_every_period_carries_its_plan_and_the_month_is_forecast(loaded: Database, tmp_path: Path) -> None:
    """Issue 30: `reminders`, `periods` and `status` --json name each period's plan; `reminders --forecast` counts a
    month's messages per app (several reports to one person at one moment once) and the reminders before bundling."""
    env = loaded.env
    await add_person(loaded, "STP", Role.FOCAL, "Nguyễn Văn An", "stp-an")
    await add_person(loaded, "SNV", Role.ADMIN, "Phạm Minh Em", "snv-admin")
    points = run_cli(["reminders", "--from", "2023-04-01", "--to", "2023-04-30", "--json"], env, tmp_path).json()
    assert points and {p["plan"] for p in points if p["kind"] != "digest"} == {"46/KH-UBND"}
    periods = run_cli(["periods", "--from", "2023-04-01", "--to", "2023-04-30", "--json"], env, tmp_path).json()
    assert periods and {p["plan"] for p in periods} == {"46/KH-UBND"}
    status = run_cli(["status", "2023-04", "--json"], env, tmp_path).json()
    assert status and {r["plan"] for r in status} == {"46/KH-UBND"} and status[0]["period"] == "Báo cáo tháng 4/2023"

    shown = run_cli(["reminders", "--forecast", "--month", "2023-04", "--json"], env, tmp_path)
    assert shown.code == 0, shown.err
    april = shown.json()
    working_days = 19  # April 2023: 30 days, 10 of weekends, 29/4 a Saturday and 30/4 a Sunday (holidays on both)
    assert april["month"] == "2023-04" and april["messages"]["console"] >= working_days  # the admin's digests at least
    assert april["reminders_before_bundling"] >= 3 and april["to_nobody"] > 0 and april["warning"] is None
    refused = run_cli(["reminders", "--forecast", "--month", "April"], env, tmp_path)
    assert refused.code == 2 and "YYYY-MM" in refused.err
    bare = run_cli(["reminders"], env, tmp_path)
    assert bare.code == 2 and "--forecast" in bare.err
