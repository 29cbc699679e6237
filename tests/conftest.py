"""Shared fixtures: every database test runs on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set.

SQLite: the schema is migrated (and plan 46 imported) once per test run into template files; each test
gets its own copy. PostgreSQL: each test gets its own schema (DATABASE_SCHEMA), built by replaying the
migrations' SQL and, for plan 46, copying the rows of a template schema migrated and imported once per
run; every schema is dropped afterwards, so the shared database is left as it was found.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from hypothesis import settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.planfile import PlanSpec, load_plan_file
from core.types import OPERATOR
from core.usecases.plan import import_plan
from models import db
from models.base import Base
from models.uow import SqlUnitOfWork, uow_factory

ROOT = Path(__file__).resolve().parent.parent
PLAN_46 = ROOT / "plans" / "46-KH-UBND-2023.toml"
PG_URL = os.environ.get("TEST_DATABASE_URL")
PG_SKIP_REASON = "TEST_DATABASE_URL is not set: the PostgreSQL variant of this test is skipped"
# Every service a test starts (in process or as `nhacviec run`) takes a free port for its HTTP server: tests
# run side by side, and the default 8080 may be in use on the machine.
os.environ.setdefault("HTTP_PORT", "0")
# Property tests and fuzzing: the full count in `make test` (what CI runs), a quick one in `make check`.
settings.register_profile("full", max_examples=150, deadline=None)
settings.register_profile("quick", max_examples=25, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "full"))


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
        engine = db.make_engine(f"sqlite+aiosqlite:///{path}", create=True)
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


def _migration_script() -> list[str]:
    """The migrations as PostgreSQL statements (Alembic's --sql mode): replayed per test in a fresh schema."""
    buf = io.StringIO()
    cfg = Config(output_buffer=buf)
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", "postgresql://")
    command.upgrade(cfg, "head", sql=True)
    statements = [part.strip() for part in buf.getvalue().split(";\n")]
    return [st for st in statements if st and st not in ("BEGIN", "COMMIT")]


@dataclass
class PgTemplate:
    statements: list[str]  # the migrations, replayed in each test's schema
    loaded_schema: str  # migrated for real (Alembic, online) with plan 46 imported once; copied per test


@pytest.fixture(scope="session")
def pg_template() -> Iterator[PgTemplate | None]:
    if not PG_URL:
        yield None
        return
    url, schema = PG_URL, f"tmpl_{uuid.uuid4().hex[:12]}"

    async def make() -> None:
        admin = db.make_engine(url)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await admin.dispose()
        engine = db.make_engine(url, schema)
        await db.upgrade(engine)
        await _import_plan_46(Database(url, schema, engine, db.session_factory(engine)))
        await engine.dispose()

    async def drop() -> None:
        admin = db.make_engine(url)
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()

    asyncio.run(make())
    try:
        yield PgTemplate(_migration_script(), schema)
    finally:
        asyncio.run(drop())


async def _clone(engine: AsyncEngine, schema: str, template: PgTemplate, with_plan: bool) -> None:
    """The newest schema in ``schema`` (the migration script), and plan 46's rows copied from the template."""
    async with engine.begin() as conn:
        for statement in template.statements:
            await conn.exec_driver_sql(statement)
        if not with_plan:
            return
        for table in Base.metadata.sorted_tables:
            await conn.exec_driver_sql(
                f'INSERT INTO "{schema}"."{table.name}" SELECT * FROM "{template.loaded_schema}"."{table.name}"'
            )
            if "id" in table.c and table.c.id.autoincrement is not False and table.c.id.primary_key:
                await conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{schema}\".\"{table.name}\"', 'id'), max(id)) "
                    f'FROM "{schema}"."{table.name}" HAVING max(id) IS NOT NULL'
                )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@asynccontextmanager
async def _open(
    backend: str, tmp_path: Path, templates: dict[bool, Path], pg: PgTemplate | None, with_plan: bool
) -> AsyncIterator[Database]:
    schema: str | None = None
    if backend == "sqlite":
        shutil.copyfile(templates[with_plan], tmp_path / "test.db")
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    else:
        if not PG_URL or pg is None:
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
            assert pg is not None
            await _clone(engine, schema, pg, with_plan)
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
async def database(
    backend: str, tmp_path: Path, sqlite_templates: dict[bool, Path], pg_template: PgTemplate | None
) -> AsyncIterator[Database]:
    """An empty database at the newest migration."""
    async with _open(backend, tmp_path, sqlite_templates, pg_template, with_plan=False) as database:
        yield database


@pytest.fixture(scope="session")
def plan46() -> PlanSpec:
    return load_plan_file(PLAN_46)


@pytest.fixture
async def loaded(
    backend: str, tmp_path: Path, sqlite_templates: dict[bool, Path], pg_template: PgTemplate | None
) -> AsyncIterator[Database]:
    """A database with plan 46 imported once per run and copied: SQLite's file, PostgreSQL's rows."""
    async with _open(backend, tmp_path, sqlite_templates, pg_template, with_plan=True) as database:
        yield database
