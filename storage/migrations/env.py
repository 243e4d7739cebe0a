"""Alembic environment: runs on a connection handed over by storage.db.migrate, or, for the `alembic` command
line, on the URL given with `-x url=...`, else SELLERMATE_DATABASE_URL, else the default database.

The URL is read here rather than from the bot's settings: storage does not import the layers above it (the
application itself always migrates through storage.db.migrate, with the URL its settings name)."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import Base, declare_all

declare_all()  # every table (some models are declared when first named)
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _command_line_url() -> str:
    from storage.defaults import DEFAULT_DATABASE_URL

    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("SELLERMATE_DATABASE_URL")
        or DEFAULT_DATABASE_URL
    )


async def _run_from_command_line() -> None:
    from storage.db import create_engine

    engine = create_engine(_command_line_url())
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_from_command_line())
