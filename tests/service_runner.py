"""`nhacviec run` as a real process, for the tests that kill, stop and fail it: its output read line by line
in a thread, its HTTP server asked over HTTP, its metrics parsed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.cli_runner import ENTRY, SCRUBBED


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(db_env: dict[str, str], **settings: str) -> dict[str, str]:
    """The process environment: this one's without any nhacviec setting, then the database's and ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith((*SCRUBBED, "HTTP_"))}
    return {**env, **db_env, "LOG_LEVEL": "INFO", "HTTP_PORT": "0", **settings}


def metric(text: str, name: str, labels: str = "") -> float | None:
    """The value of one sample in the Prometheus text format (``labels`` as written, e.g. 'channel="telegram"')."""
    wanted = f"{name}{{{labels}}}" if labels else name
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        if key == wanted:
            return float(value)
    return None


class Service:
    def __init__(self, env: dict[str, str], cwd: Path, name: str = "service") -> None:
        self.env, self.cwd, self.name = env, cwd, name
        self.port = int(env["HTTP_PORT"]) if env.get("HTTP_PORT", "0") not in ("", "0") else None
        self.lines: list[str] = []
        self.proc: subprocess.Popen[str] | None = None
        self.started_at = 0.0

    def start(self) -> Service:
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            [str(ENTRY), "run"],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, args=(self.proc,), daemon=True)
        self._reader.start()
        return self

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_until(self, predicate: Callable[[], object], timeout: float, what: str) -> float:
        """Seconds it took for ``predicate`` to hold; fails with the output if it does not in time."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if predicate():
                return time.monotonic() - start
            time.sleep(0.05)
        raise AssertionError(f"{self.name}: {what} not within {timeout} s; output:\n{self.output[-4000:]}")

    def wait_for_line(self, text: str, timeout: float = 40) -> float:
        return self.wait_until(lambda: any(text in line for line in self.lines), timeout, repr(text))

    def get(self, path: str, timeout: float = 5) -> httpx.Response:
        assert self.port is not None, "set HTTP_PORT to a port to ask the service over HTTP"
        return httpx.get(f"http://127.0.0.1:{self.port}{path}", timeout=timeout)

    def metrics(self) -> str:
        return self.get("/metrics").text

    def answers(self, path: str, status: int) -> bool:
        try:
            return self.get(path, timeout=2).status_code == status
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._done()

    def _done(self) -> None:
        if self.proc is not None:
            self._reader.join(10)  # the output read to its end, the pipe closed

    def terminate(self, timeout: float = 15) -> tuple[int, float]:
        """SIGTERM; (exit code, seconds it took to exit)."""
        assert self.proc is not None
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        seconds = time.monotonic() - start
        self._done()
        return code, seconds

    def close(self) -> None:
        self.kill()
