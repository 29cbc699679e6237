"""Alembic environment. The service passes its connection (models.db.upgrade); run on its own (the
``alembic`` command), it reads DATABASE_URL and DATABASE_SCHEMA from the environment; with ``--sql`` it
writes the SQL script instead of running it."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import models.tables  # noqa: F401  (registers the tables on the metadata)
from models.base import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _from_environment() -> None:
    import os

    from models.db import DEFAULT_URL, make_engine

    engine = make_engine(
        os.environ.get("DATABASE_URL") or DEFAULT_URL, os.environ.get("DATABASE_SCHEMA") or None, create=True
    )

    async def go() -> None:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
        await engine.dispose()

    asyncio.run(go())


def _offline() -> None:
    """``--sql`` mode: write the migrations as a SQL script (for review by a DBA, or replayed by the tests)."""
    import os

    from models.db import DEFAULT_URL

    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if context.is_offline_mode():
    _offline()
elif connection is not None:
    _run(connection)
else:
    _from_environment()
