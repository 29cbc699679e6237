"""Shared fixtures: every database test runs on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set.

SQLite: the schema is migrated (and plan 46 imported) once per test run into template files; each test
gets its own copy. PostgreSQL: each test worker has its own schema (DATABASE_SCHEMA), built once by replaying
the migrations' SQL; before each test its tables are emptied (TRUNCATE … RESTART IDENTITY) and, for plan 46,
filled with the rows of a template schema migrated and imported once per run. A test that left a trigger of its
own behind gets the schema rebuilt. Every schema is dropped at the end, so the shared database is left as it
was found.
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
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

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
    statements: list[str]  # the migrations, replayed once in each worker's schema
    loaded_schema: str  # migrated for real (Alembic, online) with plan 46 imported once; copied per test
    filled: list[str]  # the template's tables that hold rows (the others stay empty in a copy)


async def _drop_schema(url: str, schema: str) -> None:
    admin = db.make_engine(url)
    async with admin.begin() as conn:
        # A connection a test leaked would block the drop for ever: fail loudly instead.
        await conn.execute(text("SET LOCAL lock_timeout = '20s'"))
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[PgTemplate | None]:
    if not PG_URL:
        yield None
        return
    url, schema = PG_URL, f"tmpl_{uuid.uuid4().hex[:12]}"

    async def make() -> list[str]:
        admin = db.make_engine(url)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await admin.dispose()
        engine = db.make_engine(url, schema)
        await db.upgrade(engine)
        await _import_plan_46(Database(url, schema, engine, db.session_factory(engine)))
        async with engine.connect() as conn:
            filled = [
                table.name
                for table in Base.metadata.sorted_tables
                if await conn.scalar(text(f'SELECT EXISTS (SELECT 1 FROM "{table.name}")'))
            ]
        await engine.dispose()
        return filled

    filled = asyncio.run(make())
    try:
        yield PgTemplate(_migration_script(), schema, filled)
    finally:
        asyncio.run(_drop_schema(url, schema))


@pytest.fixture(scope="session")
def pg_schema(pg_template: PgTemplate | None) -> Iterator[str | None]:
    """This worker's schema, at the newest migration (emptied and refilled before each test)."""
    if pg_template is None or not PG_URL:
        yield None
        return
    url, schema = PG_URL, f"t_{uuid.uuid4().hex[:12]}"

    async def make() -> None:
        engine = db.make_engine(url, schema)
        async with engine.begin() as conn:
            await _build(conn, schema, pg_template)
        await engine.dispose()

    asyncio.run(make())
    try:
        yield schema
    finally:
        asyncio.run(_drop_schema(url, schema))


async def _build(conn: AsyncConnection, schema: str, template: PgTemplate) -> None:
    await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    for statement in template.statements:
        await conn.exec_driver_sql(statement)


OWN_TRIGGERS = (
    "SELECT count(*) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT g.tgisinternal AND n.nspname = :schema"
)


def _reset_script(schema: str, template: PgTemplate, with_plan: bool) -> str:
    """One round trip: every table emptied (children first), its id sequence back at 1, and plan 46's rows copied
    with the sequences after them."""
    tables = Base.metadata.sorted_tables
    serial = [t.name for t in tables if "id" in t.c and t.c.id.primary_key and t.c.id.autoincrement is not False]
    filled = template.filled if with_plan else []
    seq = "pg_get_serial_sequence('\"{}\".\"{}\"', 'id')".format
    return ";\n".join(
        [
            "SET LOCAL lock_timeout = '20s'",  # a connection a test leaked: fail loudly rather than hang
            *(f'DELETE FROM "{schema}"."{t.name}"' for t in reversed(tables)),
            "SELECT " + ", ".join(f"setval({seq(schema, name)}, 1, false)" for name in serial),
            *(f'INSERT INTO "{schema}"."{n}" SELECT * FROM "{template.loaded_schema}"."{n}"' for n in filled),
            *(f'SELECT setval({seq(schema, n)}, max(id)) FROM "{schema}"."{n}"' for n in filled if n in serial),
        ]
    )


async def _reset(engine: AsyncEngine, schema: str, template: PgTemplate, with_plan: bool) -> None:
    """``schema`` as the migrations leave it, empty, or with plan 46's rows copied from the template."""
    async with engine.begin() as conn:
        if await conn.scalar(text(OWN_TRIGGERS), {"schema": schema}):  # a test's own trigger left behind
            await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            await _build(conn, schema, template)
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute(_reset_script(schema, template, with_plan))  # asyncpg runs a whole script at once


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@asynccontextmanager
async def _open(
    backend: str,
    tmp_path: Path,
    templates: dict[bool, Path],
    pg: PgTemplate | None,
    schema: str | None,
    with_plan: bool,
) -> AsyncIterator[Database]:
    if backend == "sqlite":
        shutil.copyfile(templates[with_plan], tmp_path / "test.db")
        url, schema = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}", None
    else:
        if not PG_URL or pg is None or schema is None:
            pytest.skip(PG_SKIP_REASON)
        url = PG_URL
    engine = db.make_engine(url, schema)
    env = {"DATABASE_URL": url}
    if schema:
        env["DATABASE_SCHEMA"] = schema
    try:
        if schema:
            assert pg is not None
            await _reset(engine, schema, pg, with_plan)
        yield Database(url, schema, engine, db.session_factory(engine), env)
    finally:
        await engine.dispose()


@pytest.fixture
async def database(
    backend: str,
    tmp_path: Path,
    sqlite_templates: dict[bool, Path],
    pg_template: PgTemplate | None,
    pg_schema: str | None,
) -> AsyncIterator[Database]:
    """An empty database at the newest migration."""
    async with _open(backend, tmp_path, sqlite_templates, pg_template, pg_schema, with_plan=False) as database:
        yield database


@pytest.fixture(scope="session")
def plan46() -> PlanSpec:
    return load_plan_file(PLAN_46)


@pytest.fixture
async def loaded(
    backend: str,
    tmp_path: Path,
    sqlite_templates: dict[bool, Path],
    pg_template: PgTemplate | None,
    pg_schema: str | None,
) -> AsyncIterator[Database]:
    """A database with plan 46 imported once per run and copied: SQLite's file, PostgreSQL's rows."""
    async with _open(backend, tmp_path, sqlite_templates, pg_template, pg_schema, with_plan=True) as database:
        yield database


# ----------------------------------------------------------------------------------------------- scheduling

FAST = 0.2  # seconds a test that is not a proof takes, about


def _weight(item: pytest.Item) -> float:
    proof = item.get_closest_marker("proof")
    return float(proof.kwargs.get("seconds", 5)) if proof is not None else FAST


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, the slow proofs start first and are spread over the workers by their length, so no worker is
    left with a long proof at the end. xdist's work stealing hands each worker one contiguous share of this list
    and later steals from the end of a share: each share here is its proofs (longest first, each to the share
    with the least so far), then quick tests, which balance the end."""
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers < 2 or not items:
        return
    sizes, left = [], len(items)
    for i in range(workers):  # the share xdist gives each worker, in order
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    proofs = sorted((i for i in items if i.get_closest_marker("proof")), key=_weight, reverse=True)
    quick = [i for i in items if not i.get_closest_marker("proof")]
    shares: list[list[pytest.Item]] = [[] for _ in range(workers)]
    load = [0.0] * workers
    for item in proofs:
        room = [w for w in range(workers) if len(shares[w]) < sizes[w]]
        target = min(room, key=lambda w: load[w])
        shares[target].append(item)
        load[target] += _weight(item)
    for item in quick:
        room = [w for w in range(workers) if len(shares[w]) < sizes[w]]
        target = min(room, key=lambda w: load[w])
        shares[target].append(item)
        load[target] += FAST
    items[:] = [item for share in shares for item in share]
