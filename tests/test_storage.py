"""Schema: migrations apply on both databases and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import Database, migrate
from storage.models import Base


async def test_migrations_match_models(db: Database) -> None:
    def diff(sync_conn):  # type: ignore[no-untyped-def]
        # The scheduler's job table belongs to APScheduler (it creates it), not to our migrations.
        ctx = MigrationContext.configure(
            sync_conn,
            opts={
                "include_name": lambda name, type_, _parents: (
                    not (type_ == "table" and name.startswith("apscheduler"))
                )
            },
        )
        return compare_metadata(ctx, Base.metadata)

    async with db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_migrate_is_idempotent(db: Database) -> None:
    await migrate(db.engine)
    await migrate(db.engine)


def test_the_head_revision_read_from_file_names_is_alembics_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS_DIR, head_revision

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_heads() == [head_revision()]


def test_a_current_database_is_opened_without_importing_alembic(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A command on an up-to-date database skips the migration machinery; a new database is migrated."""
    import subprocess
    import sys

    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    script = (
        "import asyncio, sys\n"
        "from storage.db import create_engine, head_revision, migrate, schema_version\n"
        "async def main():\n"
        f"    engine = create_engine({url!r})\n"
        "    before = await schema_version(engine) == head_revision()\n"
        "    await migrate(engine)\n"
        "    after = await schema_version(engine) == head_revision()\n"
        "    await engine.dispose()\n"
        "    print(before, after, 'alembic' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert first.stdout.split() == ["False", "True", "True"], first.stderr
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert again.stdout.split() == ["True", "True", "False"], again.stderr


async def test_migration_0005_moves_draft_requests_out_of_reason(db: Database, workspace_id: int) -> None:
    """Drafts written before 0005 kept their request as JSON text in `reason`; refusals keep their reason."""
    from alembic import command
    from sqlalchemy import select, text

    from storage.db import _alembic_config
    from storage.models import OutreachDraft

    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(_alembic_config(c), "0004"))
        await conn.execute(
            text(
                "INSERT INTO outreach_drafts (workspace_id, intent, language, text, source, status, reason) VALUES "
                "(:ws, 'winback', 'th', 'hello', 'template', 'draft', '{\"coupon\": \"BACK10\", \"warnings\": []}'),"
                "(:ws, 'winback', 'en', '', 'refused', 'refused', 'opted out of marketing on 2026-06-01')"
            ),
            {"ws": workspace_id},
        )
    await migrate(db.engine)
    async with db.sessions() as s:
        rows = (await s.execute(select(OutreachDraft).order_by(OutreachDraft.id))).scalars().all()
    assert [(r.status, r.reason, r.request) for r in rows] == [
        ("draft", None, {"coupon": "BACK10", "warnings": []}),
        ("refused", "opted out of marketing on 2026-06-01", None),
    ]


async def test_migration_0006_fills_previous_orders(db: Database, workspace_id: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Orders imported before 0006 get `previous_order_at` from the migration: ties by id, cancelled orders
    and a customer's first order left NULL."""
    from alembic import command
    from sqlalchemy import func, select

    from bot.settings import WorkspaceSettings
    from crm.importing.service import import_file
    from storage.db import _alembic_config
    from storage.models import LoyaltyEntry, OrderLine
    from tests.test_order_stats import previous_orders, tie_orders_file

    async def kept() -> tuple[int, int]:
        async with db.sessions() as s:
            return (
                (await s.execute(select(func.count()).select_from(OrderLine))).scalar_one(),
                (
                    await s.execute(select(func.count()).where(LoyaltyEntry.order_id.is_not(None)))
                ).scalar_one(),
            )

    await import_file(db, workspace_id, tie_orders_file(tmp_path, 5), settings=WorkspaceSettings())
    before = await kept()
    assert before[0] == 5 and before[1] > 0
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(_alembic_config(c), "0005"))
    assert await kept() == before  # the downgrade must not rebuild orders (its foreign keys cascade)
    await migrate(db.engine)
    assert await kept() == before
    got, want = await previous_orders(db, workspace_id)
    assert got == want
    assert sum(v is not None for v in got.values()) == 2


async def test_a_database_from_a_newer_version_is_refused_unchanged(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Opening a database a newer SellerMate migrated further is one clear refusal, not Alembic's
    "Can't locate revision"; the database is left as it was. The CLI says it in one line, exit code 2."""
    import os
    import subprocess
    import sys

    import pytest
    from sqlalchemy import text

    from storage.db import SchemaTooNewError, head_revision, schema_version

    async def set_version(version: str) -> None:
        async with db.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})

    head = head_revision()
    newer = f"{int(head) + 1:04d}"
    await set_version(newer)
    try:
        with pytest.raises(SchemaTooNewError, match=f"schema {newer}"):
            await migrate(db.engine)
        assert await schema_version(db.engine) == newer
        env = dict(os.environ, SELLERMATE_DATABASE_URL=db.url, SELLERMATE_CONFIG=os.devnull)  # type: ignore[attr-defined]
        p = subprocess.run(
            [sys.executable, "-m", "bot.cli", "ask", "revenue last month"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert p.returncode == 2 and "newer SellerMate" in p.stderr and "Traceback" not in p.stderr, p.stderr
        assert p.stderr.count("\n") == 1, p.stderr
    finally:  # the PostgreSQL test database lives on for the worker's next tests (alembic_version is not emptied)
        await set_version(head)


def test_the_models_declared_later_are_reached_through_storage_models() -> None:
    """storage.models declares the models answers read; the others (storage/models_later.py) are declared when
    first named, through storage.models all the same."""
    import storage.models
    import storage.models_later
    from storage.models import AuditEvent, Base

    later = {
        name
        for name, value in vars(storage.models_later).items()
        if isinstance(value, type) and issubclass(value, Base) and value.__module__ == "storage.models_later"
    }
    assert later == storage.models.DECLARED_LATER
    assert AuditEvent is storage.models_later.AuditEvent is storage.models.AuditEvent
    assert AuditEvent.__table__ is Base.metadata.tables["audit_events"]


def test_every_table_a_model_of_storage_models_refers_to_is_declared_with_it() -> None:
    """A flush sorts the tables it writes by their foreign keys: every table a model of storage.models refers to
    must be declared when storage.models is, not later (an order's import, a ledger entry's team member)."""
    import storage.models

    core = {
        value.__table__.name
        for value in vars(storage.models).values()
        if isinstance(value, type)
        and issubclass(value, storage.models.Base)
        and value.__module__ == "storage.models"
        and value is not storage.models.Base
    }
    for name in core:
        for fk in storage.models.Base.metadata.tables[name].foreign_keys:
            assert fk.column.table.name in core, (name, fk.target_fullname)


def test_each_model_of_storage_models_is_its_core_table_with_every_column_typed() -> None:
    """storage.tables holds the tables (a question reads them without declaring the ORM mappers); each model
    of storage.models is mapped onto one of them, with one `Mapped[...]` annotation per column that says what
    the column holds: `X | None` exactly for the columns that may be NULL (what `mapped_column` derived from the
    annotation before the tables moved to Core)."""
    import typing

    import storage.models
    import storage.tables

    models = [
        value
        for value in vars(storage.models).values()
        if isinstance(value, type)
        and issubclass(value, storage.models.Base)
        and value.__module__ == "storage.models"
        and value is not storage.models.Base
    ]
    from sqlalchemy import Table

    core = {value.name for value in vars(storage.tables).values() if isinstance(value, Table)}
    assert {m.__table__.name for m in models} == core
    for model in models:
        table = model.__table__
        assert table is getattr(storage.tables, table.name) and model.__tablename__ == table.name
        hints = typing.get_type_hints(model)
        annotated = {name for name, hint in hints.items() if typing.get_origin(hint) is storage.models.Mapped}
        assert annotated == set(table.c.keys()), model.__name__
        for column in table.c:
            (held,) = typing.get_args(hints[column.key])
            optional = type(None) in typing.get_args(held)
            assert optional == column.nullable, (model.__name__, column.key, held, column.nullable)
