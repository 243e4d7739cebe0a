"""Schema: migrations apply on both databases and match the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import Database, migrate
from storage.models import Base


async def test_migrations_match_models(db: Database) -> None:
    def diff(sync_conn):  # type: ignore[no-untyped-def]
        # The scheduler's job table belongs to APScheduler (it creates it), not to our migrations.
        ctx = MigrationContext.configure(sync_conn, opts={
            "include_name": lambda name, type_, _parents: not (type_ == "table" and name.startswith("apscheduler"))})
        return compare_metadata(ctx, Base.metadata)

    async with db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_migrate_is_idempotent(db: Database) -> None:
    await migrate(db.engine)
    await migrate(db.engine)
