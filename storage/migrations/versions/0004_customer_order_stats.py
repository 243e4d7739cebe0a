"""customer_order_stats: each customer's valid orders summed up, kept by the order-writing repositories

RFM and CLV read one row per customer instead of aggregating every order (at 1M orders the grouped scan was
three quarters of the CLV pipeline). Filled here from the orders already imported.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BACKFILL = """
INSERT INTO customer_order_stats (customer_id, workspace_id, first_order, last_order, orders, value)
SELECT customer_id, workspace_id, {epoch_min}, {epoch_max}, count(*), {value}
FROM orders
WHERE customer_id IS NOT NULL AND status IN ('paid', 'shipped', 'completed')
GROUP BY customer_id, workspace_id
"""


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "customer_order_stats",
        sa.Column("customer_id", big_id, sa.ForeignKey("customers.id", ondelete="CASCADE",
                                                       name="fk_customer_order_stats_customer_id_customers"),
                  primary_key=True, autoincrement=False),
        sa.Column("workspace_id", big_id, sa.ForeignKey("workspaces.id", ondelete="CASCADE",
                                                              name="fk_customer_order_stats_workspace_id_workspaces"),
                  nullable=False),
        sa.Column("first_order", sa.BigInteger(), nullable=False),
        sa.Column("last_order", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name="pk_customer_order_stats"),
    )
    op.create_index("ix_customer_order_stats_ws", "customer_order_stats",
                    ["workspace_id", "customer_id", "first_order", "last_order", "orders", "value"])
    op.create_index("ix_customer_order_stats_ws_last", "customer_order_stats", ["workspace_id", "last_order"])
    op.create_index("ix_customer_order_stats_ws_first", "customer_order_stats", ["workspace_id", "first_order"])
    if op.get_bind().dialect.name == "sqlite":
        sql = BACKFILL.format(epoch_min="CAST(strftime('%s', min(created_at)) AS INTEGER)",
                              epoch_max="CAST(strftime('%s', max(created_at)) AS INTEGER)",
                              value="total(value_base)")
    else:
        sql = BACKFILL.format(epoch_min="CAST(floor(extract(epoch FROM min(created_at))) AS BIGINT)",
                              epoch_max="CAST(floor(extract(epoch FROM max(created_at))) AS BIGINT)",
                              value="sum(coalesce(CAST(value_base AS DOUBLE PRECISION), 0.0))")
    op.execute(sql)


def downgrade() -> None:
    for name in ("ix_customer_order_stats_ws_first", "ix_customer_order_stats_ws_last", "ix_customer_order_stats_ws"):
        op.drop_index(name, table_name="customer_order_stats")
    op.drop_table("customer_order_stats")
