"""Run the `nhacviec` command line as an operator would.

By default the real Typer application (``nhacviec.cli.app``, what the console script calls) runs in this
process, in a worker thread with its own event loop, the given environment and working directory: the
same parsing, wiring, database and output as the script, without starting a new interpreter each time.
``subprocess=True`` runs the installed console script itself; the tests of `nhacviec run`, of a copied
`.env.example` and of the wheel do so.
"""

from __future__ import annotations

import json
import os
import subprocess as sp
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from nhacviec import cli, clikit

clikit.out.width = clikit.err.width = 200  # as a 200-column terminal (the subprocess gets COLUMNS=200)

ENTRY = Path(sys.executable).parent / "nhacviec"
SCRUBBED = ("DATABASE_", "TELEGRAM_", "ZALO_")
_one_at_a_time = threading.Lock()  # the in-process runner changes the process's cwd and environment


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(
    args: list[str],
    env: dict[str, str],
    cwd: Path,
    stdin: str | None = None,
    timeout: float = 60,
    subprocess: bool = False,
) -> Result:
    if subprocess:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED)}
        full_env.update({"COLUMNS": "200", "NO_COLOR": "1", **env})
        proc = sp.run(
            [str(ENTRY), *args],
            env=full_env,
            cwd=cwd,
            capture_output=True,
            text=True,
            input=stdin,
            timeout=timeout,
            check=False,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    overrides: dict[str, str | None] = {k: None for k in os.environ if k.startswith(SCRUBBED)}
    overrides.update({"NO_COLOR": "1", **env})

    def invoke() -> Result:
        with _one_at_a_time:
            before = os.getcwd()
            os.chdir(cwd)
            try:
                r = CliRunner().invoke(cli.app, args, input=stdin, env=overrides, catch_exceptions=True)
            finally:
                os.chdir(before)
        err = r.stderr
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            err += "".join(traceback.format_exception(r.exception))  # as the interpreter would print it
        return Result(r.exit_code, r.stdout, err)

    with ThreadPoolExecutor(1) as pool:  # its own thread: the CLI runs asyncio.run, tests may hold a loop
        return pool.submit(invoke).result(timeout)
