"""Run the installed `nhacviec` console script (the real entry point) in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENTRY = Path(sys.executable).parent / "nhacviec"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None, timeout: float = 60) -> Result:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_", "ZALO_"))}
    full_env.update({"COLUMNS": "200", "NO_COLOR": "1", **env})
    proc = subprocess.run(
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
