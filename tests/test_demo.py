"""`nhacviec demo` (issue 23): the installed command, its own database and simulated clock, the real reminder engine,
outbox and console channel, and the dashboard judged at the simulated instant. Nothing is faked; the clock runs 30
times as fast (`--speed 30`) so that the 08:00 reminder, a simulated minute away, comes in about two seconds. The
test waits on what the demo prints, never on a timer."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

import httpx
import pytest

from tests.cli_runner import ENTRY, SCRUBBED
from tests.conftest import PLAN_46
from tests.waiting import until

pytestmark = [
    pytest.mark.proof(seconds=8),
    pytest.mark.skipif(not ENTRY.exists(), reason="the nhacviec script is not installed (run make test)"),
]


async def test_the_demo_shows_the_0800_reminder_and_the_matrix_of_its_morning(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED) and k != "WEB_SECRET_KEY"}
    env.update({"HTTP_PORT": "0", "NO_COLOR": "1", "COLUMNS": "200"})
    proc = await asyncio.create_subprocess_exec(
        str(ENTRY), "demo", "--speed", "30", "--plan", str(PLAN_46),
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert proc.stdout is not None
    printed: list[str] = []

    async def read() -> None:
        assert proc.stdout is not None
        async for line in proc.stdout:
            printed.append(line.decode())

    reader = asyncio.create_task(read())
    try:
        await until(lambda: any("  2. Đã nhận" in line for line in printed), "the 08:00 reminder with its choices")
        out = "".join(printed)
        assert "ĐỒNG HỒ MÔ PHỎNG" in out and "bắt đầu 07:59 thứ Sáu, 14/4/2023" in out  # the clock is said to be
        assert (tmp_path / "data" / "demo.db").exists()  # its own database, beside no other
        stp = out[out.index("── 08:00 14/4/2023 → demo-stp") :]
        assert "Kính gửi: Đồng chí Nguyễn Văn An, Chuyên viên Văn phòng Sở Tư pháp." in stp
        assert "Sở Nội vụ đề nghị Sở Tư pháp gửi Báo cáo tháng 4/2023" in stp and "  1. Đã nộp báo cáo" in stp

        link = re.search(r"(http://127\.0\.0\.1:\d+)/dang-nhap\?t=\S+", out)
        assert link is not None, out
        cell = re.search(r"ô (http://127\.0\.0\.1:\d+/o/\d+/SYT)", out)
        assert cell is not None, out
        async with httpx.AsyncClient(follow_redirects=True, timeout=30) as client:
            page = (await client.get(link.group(0))).text
            # The period whose report file opens from the dashboard: Sở Y tế's, from its cell.
            found = re.search(r'href="(/tep/\d+)" download>(61-BC-SYT\.docx)<', (await client.get(cell.group(1))).text)
            assert found is not None
            opened = await client.get(link.group(1) + found.group(1))
            assert opened.status_code == 200 and opened.content.startswith(b"PK\x03\x04")
            assert "61-BC-SYT.docx" in opened.headers["content-disposition"]
        # Judged on the demo's Friday morning: two reports sent on time, the others not yet due (not "911 days").
        syt = re.search(r'<tr data-agency="SYT">.*?</tr>', page, re.S)
        tp = re.search(r'<tr data-agency="STP">.*?</tr>', page, re.S)
        assert syt is not None and tp is not None
        assert "✓ đúng hạn" in syt.group(0) and "○ chưa đến hạn" in tp.group(0)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 30)
        await reader
    assert code == 0 and "Đã dừng chạy thử" in "".join(printed)
