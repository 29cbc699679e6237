"""Shared fixtures: every database test runs on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set.

PostgreSQL isolation: each test gets its own schema (DATABASE_SCHEMA), dropped afterwards, so the shared
database is left as it was found.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to the newest schema, made once per test run and copied for each test."""
    import asyncio

    path = tmp_path_factory.mktemp("template") / "template.db"

    async def migrate() -> None:
        engine = db.make_engine(f"sqlite+aiosqlite:///{path}")
        await db.upgrade(engine)
        async with engine.begin() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        await engine.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Database]:
    """An empty database at the newest migration."""
    schema: str | None = None
    if request.param == "sqlite":
        shutil.copyfile(sqlite_template, tmp_path / "test.db")
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
    if schema:
        await db.upgrade(engine)
    env = {"DATABASE_URL": url}
    if schema:
        env["DATABASE_SCHEMA"] = schema
    try:
        yield Database(url, schema, engine, db.session_factory(engine), env)
    finally:
        await engine.dispose()
        if schema:
            admin = db.make_engine(url)
            async with admin.begin() as conn:
                # A connection a test leaked would block the drop for ever: fail loudly instead.
                await conn.execute(text("SET LOCAL lock_timeout = '20s'"))
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()


@pytest.fixture(scope="session")
def plan46() -> PlanSpec:
    return load_plan_file(PLAN_46)


@pytest.fixture
async def loaded(database: Database, plan46: PlanSpec) -> Database:
    """The database with plan 46 imported."""
    async with database.uows() as uow:
        await import_plan(uow, OPERATOR, plan46)
        await uow.commit()
    return database
