"""customer_order_stats: the last-order index also holds the country and the order count

A breakdown by country of the figures read from the statistics (customers and churned customers in a window,
repeat rate, and the breakdown's list of countries) ranged over this index by last order and then read each
customer's row for the country: about 0.1 s for the last 90 days at 200,000 customers. With the country and
the order count in the index, those reads touch the index only.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

NAME = "ix_customer_order_stats_ws_last"


def upgrade() -> None:
    op.drop_index(NAME, table_name="customer_order_stats")
    op.create_index(NAME, "customer_order_stats", ["workspace_id", "last_order", "country", "orders"])


def downgrade() -> None:
    op.drop_index(NAME, table_name="customer_order_stats")
    op.create_index(NAME, "customer_order_stats", ["workspace_id", "last_order"])
