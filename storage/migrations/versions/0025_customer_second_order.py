"""customer_order_stats.second_order: each customer's second valid order beside the first and the last

The repeat purchase rate by month counted, per month, the customers with an order in it and grouped the month's
orders by customer to see who had two (at 1,000,000 orders: 350 ms on SQLite, 400 on PostgreSQL for the last
90 days' months). A customer active in a month who ordered before it is seen from that month's orders alone
(their first order there has a previous order from before); one whose first order ever is in the month
repeats within it when their second order is before its end: one row of these statistics each. Filled here
from the orders' previous_order_at (the first valid order is the only one without one), then kept by
`refresh_order_stats`. The new-customers index carries it, so the count by month reads the index only.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# As storage.repositories.analytics.refresh_second_orders sets it, frozen here.
BACKFILL = """
UPDATE customer_order_stats SET second_order = (
    SELECT {epoch} FROM orders o
    WHERE o.customer_id = customer_order_stats.customer_id AND o.previous_order_at IS NOT NULL)
WHERE orders >= 2
"""


def upgrade() -> None:
    op.drop_index("ix_customer_order_stats_ws_first", table_name="customer_order_stats")
    with op.batch_alter_table("customer_order_stats") as batch:
        batch.add_column(sa.Column("second_order", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # whole seconds of the text: strftime rounds a fraction to the millisecond (.9997 read as the next second)
        epoch = "CAST(strftime('%s', substr(min(o.created_at), 1, 19)) AS INTEGER)"
    else:
        epoch = "CAST(floor(extract(epoch FROM min(o.created_at))) AS BIGINT)"
    op.execute(BACKFILL.format(epoch=epoch))
    op.create_index(
        "ix_customer_order_stats_ws_first", "customer_order_stats", ["workspace_id", "first_order", "second_order"]
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ANALYZE customer_order_stats")
    elif bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        # A database with planner statistics (ANALYZE run by hand) has none for the rebuilt index, which SQLite
        # then guesses to be selective: it read the newest order ("are the statistics current?") through it,
        # a scan of every customer (250 ms at 200,000) instead of one step of the last-order index.
        op.execute("ANALYZE customer_order_stats")


def downgrade() -> None:
    op.drop_index("ix_customer_order_stats_ws_first", table_name="customer_order_stats")
    with op.batch_alter_table("customer_order_stats") as batch:
        batch.drop_column("second_order")
    op.create_index("ix_customer_order_stats_ws_first", "customer_order_stats", ["workspace_id", "first_order"])
