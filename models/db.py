"""Engines, sessions and the schema: create, migrate with Alembic, refuse an out-of-date schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite+aiosqlite:///./data/nhacviec.db"


class SchemaOutOfDate(RuntimeError):
    """The database is not at the newest migration."""


class DatabaseMissing(SchemaOutOfDate):
    """No database where DATABASE_URL points (a SQLite file that does not exist): nothing was created."""


class DatabaseUrlError(ValueError):
    """DATABASE_URL cannot be used; the message never holds the password."""


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and for an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str, schema: str | None = None, create: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys, a busy timeout, and (only with ``create``, as
    ``db upgrade`` asks) its folder. Any other command finds a missing SQLite file refused, never made.

    Raises:
        DatabaseUrlError: the URL is malformed or names an unknown driver.
        DatabaseMissing: (without ``create``) the SQLite file does not exist.
    """
    try:
        parsed = make_url(url)
        parsed.get_dialect()  # an unknown driver fails here, not at the first query
        _ = parsed.port  # a port that is not a number fails here
    except Exception as exc:
        raise DatabaseUrlError(
            f"DATABASE_URL không dùng được (unusable): {type(exc).__name__}; ví dụ sqlite+aiosqlite:///./data/nhacviec.db"
        ) from None
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None and create:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif path is not None and not path.exists():
            raise DatabaseMissing(f"không có cơ sở dữ liệu tại {path}: tạo bằng 'nhacviec db upgrade' (no database)")
        connect_args["timeout"] = 30
    elif schema:
        connect_args["server_settings"] = {"search_path": schema}
    engine = create_async_engine(url, connect_args=connect_args, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    def _current(conn: Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(_current)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (Alembic, in one transaction)."""

    def _run(conn: Connection) -> None:
        command.upgrade(_alembic_config(conn), revision)

    async with engine.begin() as conn:
        await conn.run_sync(_run)


async def require_current_schema(engine: AsyncEngine) -> None:
    """Raise SchemaOutOfDate with the fix when the database is behind the code."""
    current, head = await current_revision(engine), head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"database schema is at {current or 'nothing (empty database)'}, the code needs {head}: "
            "run 'nhacviec db upgrade' (cơ sở dữ liệu chưa được nâng cấp: chạy 'nhacviec db upgrade')"
        )
