"""The distribution as a new user gets it: build the wheel, install it into a fresh virtual environment, import
every module of it, and run it from a directory that is not the repository. Nothing of the repository is on its
path. The dependencies are not downloaded again: the fresh environment reads this environment's site-packages
through a .pth file (the editable install of the repository there stays inert: a .pth file inside a directory a
.pth file adds is not run), so the test proves the wheel, not PyPI.

And the build's import rewrite, on its own: a module that does ``import core`` and then uses ``core.x`` must work
under ``nhacviec.core`` too.
"""

from __future__ import annotations

import importlib.util
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from models.db import head_revision

ROOT = Path(__file__).resolve().parent.parent
# Modules that do something when imported, rather than define something: run by their own entry points.
RUN_NOT_IMPORTED = {"nhacviec.__main__", "nhacviec.models.migrations.env"}
EVERY_MODULE = f"""
import importlib, pkgutil, nhacviec
names = [m.name for m in pkgutil.walk_packages(nhacviec.__path__, "nhacviec.")]
for name in names:
    if name not in {RUN_NOT_IMPORTED!r}:
        importlib.import_module(name)
print(len(names))
"""


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"{args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def _setup_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("setup_under_test", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # setup() itself runs only as __main__
    return module


def test_the_build_rewrites_imports_on_the_syntax_tree() -> None:
    setup = _setup_module()
    source = (
        "import core\n"
        "import core.deadlines, os\n"
        "import models.tables as tables\n"
        "from core.types import (\n    Role,  # a comment\n    Platform,\n)\n"
        "def f():\n    import web.app\n    from bot import pacing as p\n    return core.deadlines.VN_TZ, web.app, p\n"
        "x = 'import core'  # a string is not an import\n"
    )
    out = setup.rewrite(source)
    assert setup.leftover(out) == []
    assert out.count("\n") == source.count("\n")  # every line where it was: tracebacks still point right
    assert "from nhacviec import core\n" in out
    assert "import nhacviec.core.deadlines; from nhacviec import core; import os\n" in out
    assert "import nhacviec.models.tables as tables\n" in out
    assert "from nhacviec.core.types import (Role, Platform)\n" in out
    assert "    import nhacviec.web.app; from nhacviec import web\n" in out
    assert "x = 'import core'" in out


@pytest.mark.proof(seconds=10)  # the built wheel in a fresh environment
def test_the_wheel_installs_imports_every_module_and_runs_anywhere(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)], tmp_path)
    (wheel,) = dist.glob("nhacviec-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"nhacviec", wheel.name.split("-py3")[0] + ".dist-info"}
    assert "nhacviec/locales/vi/LC_MESSAGES/nhacviec.mo" in names  # compiled at build time
    assert "nhacviec/models/migrations/versions/0001_initial_schema.py" in names

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    (fresh_site,) = (venv / "lib").glob("python3*/site-packages")
    (fresh_site / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)], tmp_path)
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_", "ZALO_", "NHACVIEC_"))}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", "PYTHONPATH": "", "NO_COLOR": "1"}
    cli = str(venv / "bin" / "nhacviec")

    assert int(run([str(python), "-c", EVERY_MODULE], elsewhere, env)) > 100  # every module imports, installed
    where = run([str(python), "-c", "import nhacviec.core; print(nhacviec.core.__file__)"], elsewhere, env)
    assert where.startswith(str(fresh_site)), where  # the wheel's copy, not the repository's
    assert f"→ {head_revision()}" in run([cli, "db", "upgrade"], elsewhere, env)
    assert "đã nạp" in run([cli, "import-plan", str(ROOT / "plans" / "46-KH-UBND-2023.toml")], elsewhere, env)
    loaded = run([cli, "province", "load", "Tuyên Quang", "--from", "2025-07-01", "--dry-run"], elsewhere, env)
    assert "124 UBND xã, phường" in " ".join(loaded.split())  # the registry's data files ship with the wheel
    chat = run([cli, "chat", "--as", "SNV", "--role", "admin"], elsewhere, env, stdin="/huongdan\n")
    assert "Hệ thống nhắc việc của Sở Nội vụ" in chat and "/tonghop" in chat and "/kenh" in chat

    # Only the one name is installed: no generic "core" or "models" package lands in site-packages.
    probe = "import importlib.util as u; print([m for m in ('core', 'models', 'bot', 'scheduler') if u.find_spec(m)])"
    assert run([str(python), "-c", probe], elsewhere, env).strip() == "[]"
