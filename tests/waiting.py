"""Waiting on a condition, never on a timer: a test polls what it waits for, with a generous bound that only a
broken build reaches (CI runs on a busy machine)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable

BOUND = 30.0  # seconds: the answer is expected in milliseconds; this is only how long a broken build may hang


async def until(condition: Callable[[], bool | Awaitable[bool]], what: str, timeout: float = BOUND) -> float:
    """Seconds until ``condition`` holds; fails naming ``what`` if it does not within ``timeout``."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while True:
        held = condition()
        if inspect.isawaitable(held):
            held = await held
        if held:
            return loop.time() - start
        if loop.time() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        await asyncio.sleep(0.01)
