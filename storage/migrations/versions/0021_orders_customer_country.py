"""orders.customer_country: the country of the order's customer, kept on every order

A breakdown by country groups by the customer's country (docs/metrics.md), which meant looking every order of
the period up in customers: at 1,000,000 orders the last 90 days' orders by country took 350-420 ms on SQLite
(by platform, a column of the covering index: 110 ms) and 620 ms on PostgreSQL. With the customer's country on
the order and in the covering index, it is read like the platform. Kept by `refresh_order_stats` beside the
customer statistics (which carry the same country); the importer writes the order's own country first, which
is its customer's for nearly every order, so the refresh rewrites only the few that differ. Filled here from
the customers already imported.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

NEW = ["workspace_id", "status", "created_at", "customer_id", "value_base", "platform", "previous_order_at",
       "customer_country"]
OLD = NEW[:-1]

# As in storage.models (CLOSE_REPEAT_SQLITE / CLOSE_REPEAT_POSTGRESQL), frozen here (migration 0017).
CLOSE_SQLITE = "previous_order_at IS NOT NULL AND julianday(created_at) - julianday(previous_order_at) < 1.1"
CLOSE_POSTGRESQL = "previous_order_at IS NOT NULL AND created_at - previous_order_at < interval '1.1 days'"

# The customer's country as storage.repositories.analytics.customer_country reads it, frozen here: the stored
# one, else the country of their latest valid order.
BACKFILL = """
UPDATE orders SET customer_country = (
    SELECT coalesce(c.country, (
        SELECT o.country FROM orders o
        WHERE o.customer_id = c.id AND o.status IN ('paid', 'shipped', 'completed') AND o.country IS NOT NULL
        ORDER BY o.created_at DESC, o.id DESC LIMIT 1))
    FROM customers c WHERE c.id = orders.customer_id)
WHERE customer_id IS NOT NULL
"""


def upgrade() -> None:
    # The index goes first: filling the column then writes the table only, and the index is built once.
    op.drop_index("ix_orders_ws_status_created", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("customer_country", sa.String(length=2), nullable=True))
    op.execute(BACKFILL)
    op.create_index("ix_orders_ws_status_created", "orders", NEW)
    _rebuild_close_repeat()
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # fresh planner statistics for the rewritten table
        op.execute("ANALYZE orders")
    elif bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        # A database with planner statistics (ANALYZE run by hand) lost the rebuilt index's: without them, and
        # with the others', SQLite read the unpriced orders of all time through it (0.2 s at 1M orders).
        op.execute("ANALYZE orders")


def _rebuild_close_repeat() -> None:
    """Built again after the covering index: without planner statistics (what an import leaves) SQLite weighs
    the two alike for CLV's close repeat orders and takes the one created last, which must be the partial
    index (a few percent of the orders) for `analytics.close_repeat_orders` to read only those."""
    op.drop_index("ix_orders_close_repeat", table_name="orders")
    op.create_index(
        "ix_orders_close_repeat",
        "orders",
        ["workspace_id", "status", "created_at", "customer_id", "previous_order_at"],
        sqlite_where=sa.text(CLOSE_SQLITE),
        postgresql_where=sa.text(CLOSE_POSTGRESQL),
    )


def downgrade() -> None:
    op.drop_index("ix_orders_ws_status_created", table_name="orders")
    if op.get_bind().dialect.name == "sqlite":
        # Not a batch rebuild: with foreign keys on, dropping the old orders table would cascade to the order
        # lines and the loyalty ledger. SQLite drops a column in place since 3.35.
        if sqlite3.sqlite_version_info < (3, 35, 0):
            raise RuntimeError("downgrading below 0021 needs SQLite 3.35 or newer (ALTER TABLE DROP COLUMN)")
        op.execute("ALTER TABLE orders DROP COLUMN customer_country")
    else:
        op.drop_column("orders", "customer_country")
    op.create_index("ix_orders_ws_status_created", "orders", OLD)
    _rebuild_close_repeat()
