"""Issue 28, finding 16: the matrix is computed once and shared by everyone asking for it at the same time, and a
submission makes the next request see it. ``web.shared.Shared`` on its own (no database), then the dashboard over
ASGI on the real database."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

from core.deadlines import VN_TZ
from tests.conftest import Database
from tests.dashboard_client import signed_in
from tests.factories import submit
from web.shared import Shared


async def test_twenty_askers_at_once_compute_once() -> None:
    shared: Shared[int] = Shared()
    started = asyncio.Event()
    release = asyncio.Event()

    async def compute() -> int:
        started.set()
        await release.wait()
        return 42

    askers = [asyncio.create_task(shared.get("k", compute)) for _ in range(20)]
    await started.wait()
    release.set()
    assert await asyncio.gather(*askers) == [42] * 20
    assert shared.computed == 1
    assert await shared.get("k", compute) == 42 and shared.computed == 1  # kept
    assert await shared.get("other", compute) == 42 and shared.computed == 2


async def test_when_the_asker_computing_goes_away_another_computes() -> None:
    shared: Shared[str] = Shared()
    first_started = asyncio.Event()

    async def stuck() -> str:
        first_started.set()
        await asyncio.Event().wait()
        return "never"

    async def quick() -> str:
        return "done"

    leader = asyncio.create_task(shared.get("k", stuck))
    await first_started.wait()
    follower = asyncio.create_task(shared.get("k", quick))
    await asyncio.sleep(0)  # the follower waits on the leader's flight
    leader.cancel()  # the person who asked first closed the page
    assert await follower == "done"


async def test_the_matrix_is_the_same_for_everyone_and_a_submission_shows_at_once(loaded: Database) -> None:
    async with signed_in(loaded) as admin:
        client = admin.client
        pages = await asyncio.gather(*(client.get("/?plan=46/KH-UBND") for _ in range(20)))
        assert {p.status_code for p in pages} == {200}
        tables = {re.search(r"<table.*</table>", p.text, re.S).group(0) for p in pages}  # type: ignore[union-attr]
        assert len(tables) == 1  # one matrix, shared
        row = re.compile(r'<tr data-agency="STP">.*?</tr>', re.S)
        before = row.search(pages[0].text)
        assert before is not None
        await submit(loaded, "STP", "2023-04", datetime(2023, 4, 14, 9, 30, tzinfo=VN_TZ), "46/BC-STP")
        after = row.search((await client.get("/?plan=46/KH-UBND")).text)
        assert after is not None and after.group(0) != before.group(0)  # the submission is seen at once
