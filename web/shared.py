"""Pages many people open at once, computed once and shared (issue 28, finding 16: 200 officers on a province's
matrix during a fan-out waited 6-9 s a page, as each request computed the whole matrix again).

A result is kept under a key that names everything it depends on: the database's version of what it reads (a
submission, an undo, an import change it), the minute it is judged at, and who may see what. Requests asking for a
key being computed wait for that one computation (a single flight) instead of starting their own.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Shared(Generic[T]):
    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, T] = OrderedDict()
        self._flights: dict[Hashable, asyncio.Future[T]] = {}
        self.computed = 0  # how many times a value was computed (for tests and benchmarks)

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """The value kept for ``key``, or the one being computed for it, or ``compute()``'s (then kept)."""
        while True:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            flight = self._flights.get(key)
            if flight is None:
                break
            try:
                return await asyncio.shield(flight)  # a waiter cancelled does not cancel the computation
            except asyncio.CancelledError:
                me = asyncio.current_task()
                if flight.cancelled() and me is not None and not me.cancelling():
                    continue  # the request computing it went away: compute it here
                raise
        flight = asyncio.get_running_loop().create_future()
        self._flights[key] = flight
        try:
            value = await compute()
        except asyncio.CancelledError:
            flight.cancel()
            raise
        except Exception as exc:
            flight.set_exception(exc)
            flight.exception()  # retrieved here: the waiters raise it too
            raise
        finally:
            del self._flights[key]
        self.computed += 1
        flight.set_result(value)
        self._kept[key] = value
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return value
