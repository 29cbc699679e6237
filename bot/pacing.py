"""Pacing of one bot's sends (aiolimiter): the platform's limits kept on our side, and flood-control pauses.

One ``Pacer`` per bot token is shared by everything that sends through that bot (the outbox's channel
and direct replies), so nothing else competes for the same allowance; it replaces python-telegram-bot's
``AIORateLimiter`` (two limiters in series would each take their margin and waste capacity).

- the bot as a whole: ``per_second`` messages a second, evenly spaced (a leaky bucket whose capacity
  is one message plus ``slack`` seconds (10 ms) of sending: a send woken a little late may catch up that much,
  never more), so no one-second window holds more than ``per_second * (1 + slack) + 1`` sends — 30 for
  29 a second, with 24 ms to spare for network jitter: the strict sliding window the platform enforces;
- one private chat: a burst of ``chat_burst`` (the parts of a split message), then one per ``chat_every``
  seconds;
- one group chat (id starting with "-"): ``group_per_minute`` a minute;
- ``pause(seconds)`` after the platform's flood control (HTTP 429 retry_after): every send of this bot
  waits until the pause is over, and the refused message (``held=True``) goes first after it.

``call`` is the bot's one flood policy, for every kind of call (a message, each part of a long one, an edit,
a file): wait for the turn, call; on flood control pause the bot and call again first in line when the pause is
at most ``hold`` seconds, else raise ``FloodControlError`` (the outbox puts the message back for after the
pause, counting no attempt). Nothing else retries a flood-controlled call.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiolimiter import AsyncLimiter

from core.ports import FloodControlError

KEEP_CHATS = 10_000  # per-chat limiters kept (least recently used dropped; an idle chat needs none)
HOLD = 60.0  # seconds of a flood-control pause waited out in place; a longer one goes back to the outbox
T = TypeVar("T")
FloodSeconds = Callable[[BaseException], float | None]  # the platform's retry_after, if this is its flood control


def never_flood(exc: BaseException) -> float | None:
    """For a platform without a flood-control answer of its own."""
    return None


class Pacer:
    def __init__(
        self,
        per_second: float,
        chat_burst: int = 3,
        chat_every: float = 1.1,
        group_per_minute: int = 20,
        slack: float = 0.01,
        hold: float = HOLD,
    ) -> None:
        if per_second <= 0 or chat_burst < 1 or chat_every <= 0 or group_per_minute < 1 or slack < 0:
            raise ValueError("pacing limits must be positive")
        self.per_second = per_second
        self.hold = hold
        capacity = 1 + slack * per_second
        self._bot = AsyncLimiter(capacity, capacity / per_second)
        self._chat_burst, self._chat_every, self._group_per_minute = chat_burst, chat_every, group_per_minute
        self._chats: OrderedDict[str, AsyncLimiter] = OrderedDict()
        self._paused_until = 0.0
        self.pauses = 0  # flood-control pauses so far
        self._held = 0
        self._no_held: asyncio.Event | None = None  # set while no refused message waits for its turn

    def _chat(self, chat_id: str) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if chat_id.startswith("-"):
                limiter = AsyncLimiter(1, 60 / self._group_per_minute)
            else:
                limiter = AsyncLimiter(self._chat_burst, self._chat_burst * self._chat_every)
            self._chats[chat_id] = limiter
            while len(self._chats) > KEEP_CHATS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return limiter

    @property
    def paused_for(self) -> float:
        """Seconds left of the current flood-control pause (0 when none)."""
        return max(0.0, self._paused_until - asyncio.get_running_loop().time())

    def pause(self, seconds: float) -> None:
        """The platform asked this bot to wait: no send of it goes out for ``seconds``."""
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + max(0.0, seconds))
        self.pauses += 1

    async def wait(self, chat_id: str, held: bool = False) -> None:
        """Return when one message to ``chat_id`` may be sent now.

        ``held``: the message the platform just refused; it keeps its turn, before every other waiter.
        """
        if self._no_held is None:
            self._no_held = asyncio.Event()
            self._no_held.set()
        no_held = self._no_held
        if held:
            self._held += 1
            no_held.clear()
        try:
            while True:
                while self.paused_for:
                    await asyncio.sleep(self.paused_for)
                if not held:
                    await no_held.wait()
                await self._chat(chat_id).acquire()
                await self._bot.acquire()
                # A pause that began, or a refused message that came, while we queued goes first.
                if not self.paused_for and (held or no_held.is_set()):
                    return
        finally:
            if held:
                self._held -= 1
                if not self._held:
                    no_held.set()

    async def call(self, chat_id: str, send: Callable[[], Awaitable[T]], flood: FloodSeconds) -> T:
        """``send()`` to ``chat_id`` in its turn, under the flood policy (see the module's docstring).

        Raises:
            FloodControlError: the platform asked for a pause longer than ``hold`` (the bot is paused already).
            Whatever ``send`` raises that is not flood control.
        """
        held = False
        while True:
            await self.wait(chat_id, held)
            try:
                return await send()
            except Exception as exc:
                seconds = flood(exc)
                if seconds is None:
                    raise
                self.pause(seconds)
                if seconds > self.hold:
                    raise FloodControlError(f"flood control (429): wait {seconds:.0f} s", seconds) from exc
                held = True
