"""The arrows point inward: which package may import which, read from the code's own import statements.

core      → nothing of ours but core; no SQLAlchemy, APScheduler or chat platform library
models    → core (it implements core's ports)
scheduler → core (and APScheduler)
bot       → core (and the platform libraries)
reader    → core (and the document libraries: python-docx, pdfplumber, pypdfium2)
compiler  → core (and the libraries that write documents: python-docx, openpyxl)
web       → core, reader (an uploaded plan document is read as the CLI reads it), compiler (a period's documents)
nhacviec  → everything: the entry point wires the parts
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("core", "models", "scheduler", "bot", "web", "reader", "compiler", "nhacviec")
ALLOWED = {
    "core": {"core"},
    "models": {"core", "models"},
    "scheduler": {"core", "scheduler"},
    "bot": {"core", "bot"},
    "web": {"core", "web", "reader", "compiler"},
    "reader": {"core", "reader"},
    "compiler": {"core", "compiler"},
    "nhacviec": set(OURS),
}
HTTP_SERVER = {"starlette", "uvicorn", "prometheus_client", "tornado"}  # the service's HTTP side is the entry's
DOCUMENTS = {"docx", "pdfplumber", "pdfminer", "pypdfium2", "lxml"}  # file formats are the reader's
FORBIDDEN_LIBRARIES = {
    "core": {
        "sqlalchemy",
        "alembic",
        "apscheduler",
        "telegram",
        "httpx",
        "aiosqlite",
        "asyncpg",
        *HTTP_SERVER,
        *DOCUMENTS,
    },
    "reader": {"sqlalchemy", "alembic", "apscheduler", "telegram", "httpx", *HTTP_SERVER},
    "compiler": {"sqlalchemy", "alembic", "apscheduler", "telegram", "httpx", *HTTP_SERVER},
    "scheduler": {"sqlalchemy", "alembic", "telegram", *HTTP_SERVER},
    "bot": {"sqlalchemy", "alembic", "apscheduler", *HTTP_SERVER},
    "web": {"sqlalchemy", "alembic", "apscheduler", "telegram", "httpx", *DOCUMENTS},
    "models": {"apscheduler", "telegram", "typer", *HTTP_SERVER},
}
# The faces: they parse, call a use-case and render; SQL stays in models/ (the entry's wiring aside).
NO_SQL = [
    "nhacviec/cli.py",
    "nhacviec/service.py",
    "nhacviec/http.py",
    "nhacviec/metrics.py",
    "nhacviec/leader.py",
    "scheduler",
    "bot",
    "web",
    "core",
    "reader",
]


def imports(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports (absolute imports only: we use no relative ones)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            found.add((node.module or "").split(".")[0])
    return found


def files(package: str) -> list[Path]:
    base = ROOT / package
    return sorted(base.rglob("*.py")) if base.is_dir() else [base]


@pytest.mark.parametrize("package", OURS)
def test_packages_import_only_inward(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files(package)
        for name in imports(path)
        if (name in OURS and name not in ALLOWED[package]) or name in FORBIDDEN_LIBRARIES.get(package, set())
    }
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize("place", NO_SQL)
def test_faces_hold_no_sql(place: str) -> None:
    wrong = [str(p.relative_to(ROOT)) for p in files(place) if "sqlalchemy" in imports(p) or "select(" in p.read_text()]
    assert not wrong, wrong


def test_no_cycle_between_packages() -> None:
    graph = {pkg: {n for p in files(pkg) for n in imports(p) if n in OURS and n != pkg} for pkg in OURS}

    def reaches(start: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(n == target or (n not in seen and reaches(n, target, seen | {n})) for n in graph[start])

    assert not [pkg for pkg in OURS if reaches(pkg, pkg)], graph


# A comparison of a deadline with an instant ("due_at < now", "confirmed_at > p.due_at") decides on time, late or
# overdue: that is core/standing.py's alone. The repositories filter periods by deadline in SQL (a window, not a
# standing), and the reminder planner places its points around the deadline.
DEADLINE_COMPARED = re.compile(r"due_at\s*[<>]=?|[<>]=?\s*[\w.()\[\]-]*due_at\b|is_late\(")
DEADLINE_WINDOWS = {"core/standing.py", "core/planning/planner.py", "core/planfile.py", "models/repos/periods.py"}


def test_the_standing_and_the_dedup_keys_live_in_one_place() -> None:
    """Deciding on time / late / overdue happens only in core/standing.py; outbox keys only in core/keys.py."""
    deciding, key_like = [], []
    for pkg in OURS:
        for path in files(pkg):
            source = path.read_text(encoding="utf-8")
            rel = str(path.relative_to(ROOT))
            if rel not in DEADLINE_WINDOWS:
                deciding += [f"{rel}: {m.group(0)!r}" for m in DEADLINE_COMPARED.finditer(source)]
            if rel != "core/keys.py" and any(k in source for k in ('f"nudge:', 'f"notice:', 'f"adhoc:', 'f"quota:')):
                key_like.append(rel)
    assert not deciding and not key_like, (deciding, key_like)
