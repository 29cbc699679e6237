"""Fakes at the process edge only: a chat platform that records what it was sent.

Tests using RecordingChannel say so: it stands in for Telegram's or Zalo's servers, nothing else.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.pacing import Pacer
from core.ports import OutgoingMessage, SendError
from core.types import Platform


@dataclass
class RecordingChannel:
    """Keeps every message it 'delivers'; ``failures[chat_id]`` lists errors to raise first, in order."""

    platform: Platform = Platform.CONSOLE
    sent: list[tuple[str, str]] = field(default_factory=list)
    outgoing: list[tuple[str, OutgoingMessage]] = field(default_factory=list)  # the same, with their choices
    failures: dict[str, list[SendError]] = field(default_factory=dict)
    calls: int = 0
    delay: float = 0.0  # seconds each send takes (a network round trip), so concurrent senders interleave

    async def send(self, chat_id: str, message: OutgoingMessage) -> str | None:
        self.calls += 1
        await asyncio.sleep(self.delay)
        pending = self.failures.get(chat_id)
        if pending:
            raise pending.pop(0)
        self.sent.append((chat_id, message.text))
        self.outgoing.append((chat_id, message))
        return str(len(self.sent))

    def to(self, chat_id: str) -> list[str]:
        return [text for chat, text in self.sent if chat == chat_id]


def unpaced() -> Pacer:
    """A pacer with limits far above what a test sends: pacing itself is tested in tests/scheduler/test_sender.py."""
    return Pacer(10_000, chat_burst=1_000, chat_every=0.001, group_per_minute=60_000)
