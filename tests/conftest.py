"""Shared fixtures: every database test runs on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set.

SQLite: the schema is migrated (and plan 46 imported) once per test run into template files; each test
gets its own copy. PostgreSQL isolation: each test gets its own schema (DATABASE_SCHEMA), migrated and
dropped afterwards, so the shared database is left as it was found.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.planfile import PlanSpec, load_plan_file
from core.types import OPERATOR
from core.usecases.plan import import_plan
from models import db
from models.uow import SqlUnitOfWork, uow_factory

ROOT = Path(__file__).resolve().parent.parent
PLAN_46 = ROOT / "plans" / "46-KH-UBND-2023.toml"
PG_URL = os.environ.get("TEST_DATABASE_URL")
PG_SKIP_REASON = "TEST_DATABASE_URL is not set: the PostgreSQL variant of this test is skipped"


@dataclass
class Database:
    url: str
    schema: str | None
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    env: dict[str, str] = field(default_factory=dict)  # for the CLI in a subprocess

    @property
    def uows(self) -> Callable[[], SqlUnitOfWork]:
        return uow_factory(self.sessions)


async def _import_plan_46(database: Database) -> None:
    async with database.uows() as uow:
        await import_plan(uow, OPERATOR, load_plan_file(PLAN_46))
        await uow.commit()


def _sqlite_template(path: Path, with_plan: bool) -> Path:
    """A SQLite file migrated to the newest schema (and, if asked, with plan 46 imported), made once."""

    async def make() -> None:
        engine = db.make_engine(f"sqlite+aiosqlite:///{path}")
        await db.upgrade(engine)
        if with_plan:
            await _import_plan_46(Database(str(path), None, engine, db.session_factory(engine)))
        async with engine.begin() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        await engine.dispose()

    asyncio.run(make())
    return path


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    """Migrate once per test run (and import plan 46 once); each test copies the file it needs."""
    base = tmp_path_factory.mktemp("templates")
    return {False: _sqlite_template(base / "empty.db", False), True: _sqlite_template(base / "plan46.db", True)}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@asynccontextmanager
async def _open(backend: str, tmp_path: Path, templates: dict[bool, Path], with_plan: bool) -> AsyncIterator[Database]:
    schema: str | None = None
    if backend == "sqlite":
        shutil.copyfile(templates[with_plan], tmp_path / "test.db")
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    else:
        if not PG_URL:
            pytest.skip(PG_SKIP_REASON)
        url = PG_URL
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = db.make_engine(url)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await admin.dispose()
    engine = db.make_engine(url, schema)
    env = {"DATABASE_URL": url}
    if schema:
        env["DATABASE_SCHEMA"] = schema
    database = Database(url, schema, engine, db.session_factory(engine), env)
    try:
        if schema:
            await db.upgrade(engine)
            if with_plan:
                await _import_plan_46(database)
        yield database
    finally:
        await engine.dispose()
        if schema:
            admin = db.make_engine(url)
            async with admin.begin() as conn:
                # A connection a test leaked would block the drop for ever: fail loudly instead.
                await conn.execute(text("SET LOCAL lock_timeout = '20s'"))
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()


@pytest.fixture
async def database(backend: str, tmp_path: Path, sqlite_templates: dict[bool, Path]) -> AsyncIterator[Database]:
    """An empty database at the newest migration."""
    async with _open(backend, tmp_path, sqlite_templates, with_plan=False) as database:
        yield database


@pytest.fixture(scope="session")
def plan46() -> PlanSpec:
    return load_plan_file(PLAN_46)


@pytest.fixture
async def loaded(backend: str, tmp_path: Path, sqlite_templates: dict[bool, Path]) -> AsyncIterator[Database]:
    """A database with plan 46 imported (on SQLite a copy of the file imported once per run)."""
    async with _open(backend, tmp_path, sqlite_templates, with_plan=True) as database:
        yield database
