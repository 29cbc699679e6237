"""Which `nhacviec run` processes share the database, and which one of them leads.

PostgreSQL: every instance holds, on one dedicated connection, a session advisory lock on (namespace,
instance id) for as long as it runs, and the leader also holds (namespace, 0). A lock goes with its
connection: when the process dies, or its connection does, PostgreSQL drops the lock, another instance
takes the lead, and the dead instance's outbox claims are released (``live_instances``). The namespace
is a hash of the schema, so two deployments in one database (or the tests' schemas) never meet. The
dedicated connection asks the server for TCP keepalives, so a connection cut off by the network is
noticed in about half a minute rather than hours.

SQLite: one process per database file. ``nhacviec run`` takes an exclusive lock on ``<file>.lock`` and
writes who it is into it; a second one is refused with the first one's name.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import random
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import BigInteger, ColumnElement, Select, cast, column, func, literal, select, table, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from models.db import sqlite_path

log = logging.getLogger(__name__)
LEADER_KEY = 0
CHECK_TIMEOUT = 5.0  # seconds a lock query may take before the connection is taken for lost
KEEPALIVE = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}

_pg_locks = table(
    "pg_locks",
    column("locktype"),
    column("database"),
    column("classid"),
    column("objid"),
    column("objsubid"),
    column("granted"),
    schema="pg_catalog",
)
_pg_database = table("pg_database", column("oid"), column("datname"), schema="pg_catalog")


class AlreadyRunning(RuntimeError):
    """Another `nhacviec run` uses this SQLite database; the message names it."""


class Instance(Protocol):
    """This process among the instances sharing the database."""

    id: int

    async def open(self) -> None:
        """Take this instance's lock. Raises AlreadyRunning (SQLite) or a database error."""

    async def try_lead(self) -> bool:
        """Take the lead if nobody holds it; True when this instance leads."""

    async def holds(self) -> bool:
        """Whether the locks are still ours (False once the connection is lost: the lead is gone)."""

    async def close(self) -> None:
        """Give up the lead and the instance lock (a killed process gives them up by dying)."""


def namespace() -> ColumnElement[int]:
    """The advisory-lock namespace of this schema: a positive int4, computed by the server."""
    return func.hashtext(literal("nhacviec:") + func.current_schema()).op("&")(2147483647)


def live_instances() -> Select[tuple[int]]:
    """The ids of the instances whose lock is held now, in this database and schema (PostgreSQL)."""
    current = select(_pg_database.c.oid).where(_pg_database.c.datname == func.current_database())
    return select(cast(_pg_locks.c.objid, BigInteger)).where(
        _pg_locks.c.locktype == "advisory",
        _pg_locks.c.objsubid == 2,
        _pg_locks.c.granted.is_(True),
        _pg_locks.c.database == current.scalar_subquery(),
        cast(_pg_locks.c.classid, BigInteger) == namespace(),
        cast(_pg_locks.c.objid, BigInteger) != LEADER_KEY,
    )


def new_instance(url: str, schema: str | None) -> Instance:
    """The right kind for the database: PostgreSQL locks, or the SQLite file lock."""
    if url.startswith("sqlite"):
        return SqliteInstance(sqlite_path(url))
    return PgInstance(url, schema)


class PgInstance:
    def __init__(self, url: str, schema: str | None) -> None:
        settings = {**KEEPALIVE, **({"search_path": schema} if schema else {})}
        self._engine: AsyncEngine = create_async_engine(
            url, poolclass=NullPool, connect_args={"server_settings": settings, "timeout": CHECK_TIMEOUT}
        )
        self.id = 0
        self._conn: AsyncConnection | None = None
        self._leading = False

    async def open(self) -> None:
        conn = await (await self._engine.connect()).execution_options(isolation_level="AUTOCOMMIT")
        # After a lost connection the same id again if it is free; ids are random, so a clash with a live
        # instance is rare, and another id settles it.
        for candidate in [*([self.id] if self.id else []), *(random.randint(1, 2**31 - 1) for _ in range(5))]:
            if await conn.scalar(select(func.pg_try_advisory_lock(namespace(), candidate))):
                self.id, self._conn, self._leading = candidate, conn, False
                return
        await conn.close()
        raise RuntimeError("no free instance id after 5 tries")

    async def try_lead(self) -> bool:
        if self._leading:
            return True
        if self._conn is None:
            return False
        self._leading = bool(await self._query(select(func.pg_try_advisory_lock(namespace(), LEADER_KEY))))
        return self._leading

    async def holds(self) -> bool:
        if self._conn is None:
            return False
        try:
            await self._query(text("SELECT 1"))
        except Exception as exc:  # the connection is gone, and with it the locks
            log.warning("lost the database connection that holds this instance's locks (%s)", type(exc).__name__)
            await self._drop()
            return False
        return True

    async def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._query(text("SELECT pg_advisory_unlock_all()"))
        await self._drop()
        await self._engine.dispose()

    async def _query(self, statement: object) -> object:
        assert self._conn is not None
        return await asyncio.wait_for(self._conn.scalar(statement), CHECK_TIMEOUT)  # type: ignore[call-overload]

    async def _drop(self) -> None:
        conn, self._conn, self._leading = self._conn, None, False
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.invalidate(), CHECK_TIMEOUT)


class SqliteInstance:
    """One process per database file (an in-memory database has no file and needs no lock)."""

    def __init__(self, path: Path | None) -> None:
        self.id = random.randint(1, 2**31 - 1)
        self.path = Path(f"{path}.lock") if path is not None else None
        self._file: IO[str] | None = None

    async def open(self) -> None:
        if self.path is None:
            return
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise AlreadyRunning(
                f"{holder} đang chạy trên cơ sở dữ liệu này (is already running on {self.path.with_suffix('')}); "
                "SQLite chỉ cho một tiến trình `nhacviec run` (one `nhacviec run` per SQLite file; "
                "use PostgreSQL for several)"
            ) from None
        handle.seek(0)
        handle.truncate()
        since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        handle.write(f"nhacviec run (pid {os.getpid()} on {socket.gethostname()}, since {since})\n")
        handle.flush()
        self._file = handle

    async def try_lead(self) -> bool:
        return True

    async def holds(self) -> bool:
        return True

    async def close(self) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
