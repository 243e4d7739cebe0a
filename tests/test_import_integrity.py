"""Imports load SQLite without foreign-key checks and with a larger page cache (storage.repositories.imports):
what they write must still hold every reference, and every later use of the connection has the usual settings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from bot.settings import WorkspaceSettings
from crm.importing.demo import build_demo_dataset, write_demo_exports
from crm.importing.identity import merge_by_hand, split_identity, undo_merge
from crm.importing.service import import_file, import_rates
from storage.db import Database
from storage.models import BuyerIdentity, Customer, Order
from storage.repositories import imports as repo


async def _dangling_line(db: Database) -> None:
    """An order line of an order that does not exist."""
    async with db.sessions() as s:
        await s.execute(
            text("INSERT INTO order_lines (order_id, line_no, quantity) VALUES (987654321, 1, 1)")
        )
        await s.commit()


async def test_bulk_load_mode_lasts_one_session_and_the_checks_come_back(db: Database) -> None:
    async with db.sessions() as s:
        off = await repo.bulk_load_mode(s)
        await repo.widen_cache(s)
        if db.dialect == "sqlite":
            assert off and (await s.execute(text("PRAGMA threads"))).scalar_one() == repo.SORT_HELPER_THREADS
            assert (await s.execute(text("PRAGMA cache_size"))).scalar_one() == -repo.IMPORT_CACHE_KIB
            await s.execute(
                text("INSERT INTO order_lines (order_id, line_no, quantity) VALUES (987654321, 1, 1)")
            )
        else:
            assert not off  # PostgreSQL keeps its checks
        await s.rollback()
    # The connection went back to the pool: whoever gets it next has the checks again (a rolled-back import
    # included), on SQLite as on PostgreSQL.
    for _ in range(3):
        with pytest.raises(IntegrityError):
            await _dangling_line(db)
    if db.dialect == "sqlite":
        async with db.sessions() as s:
            assert (await s.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
            assert (await s.execute(text("PRAGMA threads"))).scalar_one() == 0
            assert (await s.execute(text("PRAGMA cache_size"))).scalar_one() == -2000  # SQLite's default


# SQLite only: PostgreSQL never leaves bulk-load mode on.
@pytest.mark.parametrize("backend", ["sqlite"])
async def test_bulk_load_mode_needs_to_come_before_the_first_write(db: Database) -> None:
    async with db.sessions() as s:
        await s.execute(text("UPDATE workspaces SET name = name"))  # a write: the transaction begins
        assert not await repo.bulk_load_mode(
            s
        )  # inside a transaction SQLite keeps checking: said, not assumed
        with pytest.raises(IntegrityError):
            await s.execute(
                text("INSERT INTO order_lines (order_id, line_no, quantity) VALUES (987654321, 1, 1)")
            )
        await s.rollback()


# SQLite only: PostgreSQL checks every reference as it is written.
@pytest.mark.parametrize("backend", ["sqlite"])
async def test_imports_merges_and_splits_leave_no_dangling_reference(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    dataset = build_demo_dataset(seed=5, customers=120, as_of=date(2026, 11, 23))
    files = write_demo_exports(dataset, tmp_path, seed=5)
    rates = next(f for f in files if f.name == "rates.csv")
    await import_rates(db, workspace_id, rates, base_currency="SGD")
    for f in files:
        if f != rates:
            await import_file(db, workspace_id, f, settings=WorkspaceSettings())
    async with db.sessions() as s:
        assert (
            (await s.execute(select(func.count()).select_from(Order))).scalar_one() == len(dataset.orders) > 0
        )
        spans = (
            await s.execute(
                select(BuyerIdentity.customer_id)
                .group_by(BuyerIdentity.customer_id)
                .having(func.count(func.distinct(BuyerIdentity.platform)) > 1)
            )
        ).all()
    assert spans  # buyers of several platforms became one customer

    async with db.sessions() as s:  # a seller's merge, its undo, and a split
        a, b = (
            (
                await s.execute(
                    select(Customer.id)
                    .where(Customer.merged_into_id.is_(None))
                    .order_by(Customer.id)
                    .limit(2)
                )
            )
            .scalars()
            .all()
        )
        event = await merge_by_hand(s, workspace_id, a, b)
        await undo_merge(s, workspace_id, event)
        shared = spans[0][0]
        ident = (
            await s.execute(
                select(BuyerIdentity.id)
                .where(BuyerIdentity.customer_id == shared)
                .order_by(BuyerIdentity.id.desc())
                .limit(1)
            )
        ).scalar_one()
        await split_identity(s, workspace_id, ident)
        await s.commit()
    # The same exports again (nothing changes) and once more after the seller's changes.
    again = [
        await import_file(db, workspace_id, f, settings=WorkspaceSettings()) for f in files if f != rates
    ]
    assert sum(r.orders_new + r.orders_updated for r in again if r.platform != "sellermate") == 0

    async with db.sessions() as s:
        problems = (await s.execute(text("PRAGMA foreign_key_check"))).all()
    assert problems == []
    # The check itself finds what an import with a wrong reference would leave.
    async with db.sessions() as s:
        assert await repo.bulk_load_mode(s)
        await s.execute(
            text("INSERT INTO order_lines (order_id, line_no, quantity) VALUES (987654321, 1, 1)")
        )
        await s.commit()
    async with db.sessions() as s:
        assert [r[0] for r in (await s.execute(text("PRAGMA foreign_key_check"))).all()] == ["order_lines"]
