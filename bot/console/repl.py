"""A person at the terminal, speaking to the same conversation core (no token, no network)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import TextIO

from core.conversation.engine import Conversation
from core.conversation.events import EventKind, Incoming, Reply, Sender
from core.conversation.parse import parse_command

QUIT = {"/thoat", "/exit", "/quit"}


def render(reply: Reply, out: TextIO, exports: Path) -> None:
    out.write(reply.text + "\n")
    for i, choice in enumerate(reply.choices, 1):
        out.write(f"  {i}. {choice.label}\n")
    if reply.choices:
        out.write("  (gõ số để chọn — type a number to choose)\n")
    if reply.document is not None:
        exports.mkdir(parents=True, exist_ok=True)
        path = exports / Path(reply.document.filename).name
        path.write_bytes(reply.document.data)
        out.write(f"  [tệp / file: {path}]\n")


def _lines(inp: TextIO) -> asyncio.Queue[str]:
    """Lines of ``inp`` read by a daemon thread (a blocked read never keeps the process from exiting)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        while True:
            line = inp.readline()
            loop.call_soon_threadsafe(queue.put_nowait, line)
            if not line:
                return

    threading.Thread(target=read, name="console-input", daemon=True).start()
    return queue


async def repl(conversation: Conversation, sender: Sender, inp: TextIO, out: TextIO, exports: Path) -> None:
    """Read lines until end of input or /thoat; each line is a command, a number or text."""
    out.write("nhacviec — gõ /huongdan để xem các lệnh, /thoat để thoát (type /huongdan for help, /thoat to quit)\n")
    out.flush()
    lines = _lines(inp)
    while True:
        out.write("> ")
        out.flush()
        line = await lines.get()
        if not line:
            break
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        if text.strip().lower() in QUIT:
            break
        command = parse_command(text)
        if command:
            event = Incoming(sender, EventKind.COMMAND, command=command[0], args=command[1], text=text)
        else:
            event = Incoming(sender, EventKind.TEXT, text=text)
        for reply in await conversation.handle(event):
            render(reply, out, exports)
        out.flush()
    out.write("Tạm biệt. (bye)\n")
    out.flush()
