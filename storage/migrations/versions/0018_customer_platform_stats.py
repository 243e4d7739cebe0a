"""customer_platform_stats: each customer's valid orders per platform summed up, kept with customer_order_stats;
both hold the customer's country

"First order" and "two orders" on a platform (new customers, repeat purchase rate and LTV by platform, or on
one) were a probe of each customer's earlier orders there: 0.7-1.2 s of CPU on SQLite and 1.4-1.7 s on
PostgreSQL at 1,000,000 orders. One row per customer and platform makes them a read of a covering index.
The customer's country (docs/metrics.md: the stored one, else their latest valid order's) beside the figures
makes a breakdown by country a read of one covering index instead of a customer lookup per row. Filled here
from the orders and customers already imported.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BACKFILL = """
INSERT INTO customer_platform_stats (customer_id, platform, workspace_id, first_order, last_order, orders, value)
SELECT customer_id, platform, min(workspace_id), {epoch_min}, {epoch_max}, count(*), {value}
FROM orders
WHERE customer_id IS NOT NULL AND status IN ('paid', 'shipped', 'completed')
GROUP BY customer_id, platform
"""

# The customer's country as storage.repositories.analytics.customer_country reads it, frozen here.
COUNTRY = """
UPDATE {table} SET country = (
    SELECT coalesce(c.country, (
        SELECT o.country FROM orders o
        WHERE o.customer_id = c.id AND o.status IN ('paid', 'shipped', 'completed') AND o.country IS NOT NULL
        ORDER BY o.created_at DESC, o.id DESC LIMIT 1))
    FROM customers c WHERE c.id = {table}.customer_id)
"""


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "customer_platform_stats",
        sa.Column("customer_id", big_id, sa.ForeignKey("customers.id", ondelete="CASCADE",
                                                       name="fk_customer_platform_stats_customer_id_customers"),
                  nullable=False, autoincrement=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("workspace_id", big_id, sa.ForeignKey("workspaces.id", ondelete="CASCADE",
                                                        name="fk_customer_platform_stats_workspace_id_workspaces"),
                  nullable=False),
        sa.Column("first_order", sa.BigInteger(), nullable=False),
        sa.Column("last_order", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.PrimaryKeyConstraint("customer_id", "platform", name="pk_customer_platform_stats"),
    )
    if op.get_bind().dialect.name == "sqlite":
        sql = BACKFILL.format(epoch_min="CAST(strftime('%s', min(created_at)) AS INTEGER)",
                              epoch_max="CAST(strftime('%s', max(created_at)) AS INTEGER)",
                              value="total(value_base)")
    else:
        sql = BACKFILL.format(epoch_min="CAST(floor(extract(epoch FROM min(created_at))) AS BIGINT)",
                              epoch_max="CAST(floor(extract(epoch FROM max(created_at))) AS BIGINT)",
                              value="coalesce(sum(value_base), 0)")
    op.execute(sql)
    with op.batch_alter_table("customer_order_stats") as batch:
        batch.add_column(sa.Column("country", sa.String(length=2), nullable=True))
    for table in ("customer_order_stats", "customer_platform_stats"):
        op.execute(COUNTRY.format(table=table))
    # Its covering index covers the country too (one index more would cost every import its upkeep).
    op.drop_index("ix_customer_order_stats_ws", table_name="customer_order_stats")
    op.create_index("ix_customer_order_stats_ws", "customer_order_stats",
                    ["workspace_id", "customer_id", "first_order", "last_order", "orders", "value", "country"])
    op.create_index("ix_customer_platform_stats_ws", "customer_platform_stats",
                    ["workspace_id", "platform", "customer_id", "first_order", "last_order", "orders", "value",
                     "country"])
    if op.get_bind().dialect.name == "postgresql":  # fresh planner statistics for the rewritten tables
        op.execute("ANALYZE customer_order_stats")
        op.execute("ANALYZE customer_platform_stats")


def downgrade() -> None:
    op.drop_index("ix_customer_platform_stats_ws", table_name="customer_platform_stats")
    op.drop_table("customer_platform_stats")
    op.drop_index("ix_customer_order_stats_ws", table_name="customer_order_stats")
    with op.batch_alter_table("customer_order_stats") as batch:
        batch.drop_column("country")
    op.create_index("ix_customer_order_stats_ws", "customer_order_stats",
                    ["workspace_id", "customer_id", "first_order", "last_order", "orders", "value"])
