"""The distribution as a new user gets it: build the wheel, install it into a fresh virtual environment,
and run it from a directory that is not the repository. Nothing of the repository is on its path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from models.db import head_revision

pytestmark = pytest.mark.proof  # the built wheel in a fresh environment

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"{args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def test_the_wheel_installs_and_runs_anywhere(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)], tmp_path)
    (wheel,) = dist.glob("nhacviec-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"nhacviec", wheel.name.split("-py3")[0] + ".dist-info"}
    assert "nhacviec/locales/vi/LC_MESSAGES/nhacviec.mo" in names  # compiled at build time
    assert "nhacviec/models/migrations/versions/0001_initial_schema.py" in names

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], tmp_path)
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_", "ZALO_", "NHACVIEC_"))}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", "PYTHONPATH": "", "NO_COLOR": "1"}
    cli = str(venv / "bin" / "nhacviec")

    assert f"→ {head_revision()}" in run([cli, "db", "upgrade"], elsewhere, env)
    assert "đã nạp" in run([cli, "import-plan", str(ROOT / "plans" / "46-KH-UBND-2023.toml")], elsewhere, env)
    chat = run([cli, "chat", "--as", "SNV", "--role", "admin"], elsewhere, env, stdin="/huongdan\n")
    assert "Bot Nhắc việc" in chat and "/tonghop" in chat and "/kenh" in chat

    # Only the one name is installed: no generic "core" or "models" package lands in site-packages.
    probe = "import importlib.util as u; print([m for m in ('core', 'models', 'bot', 'scheduler') if u.find_spec(m)])"
    assert run([str(venv / "bin" / "python"), "-c", probe], elsewhere, env).strip() == "[]"
