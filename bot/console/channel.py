"""Outgoing messages printed to a terminal (or any text stream)."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from core.deadlines import to_vn, utcnow
from core.ports import OutgoingMessage
from core.types import Platform


class ConsoleChannel:
    platform = Platform.CONSOLE

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        self.stream = stream or sys.stdout
        self.clock = clock  # `nhacviec demo` stamps messages with its simulated clock
        self._ids = itertools.count(1)

    async def send(self, chat_id: str, message: OutgoingMessage) -> str | None:
        stamp: datetime = to_vn(self.clock())
        lines = [f"── {stamp:%H:%M} {stamp.day}/{stamp.month}/{stamp.year} → {chat_id} " + "─" * 20, message.text]
        lines += [f"  {i}. {label}" for i, (label, _) in enumerate(message.choices, 1)]
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()
        return str(next(self._ids))
