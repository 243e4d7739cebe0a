"""Analytics: the two covering order indexes also carry workspace_id and platform

Per-customer aggregates (RFM, CLV, average LTV) scan ix_orders_customer_created and filter the workspace on
the index alone; platform-filtered windows (repeat rate on Shopee, revenue by platform) filter the platform
on ix_orders_ws_status_created alone. Same leading columns as before, so every earlier query plan still holds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NEW = {
    "ix_orders_customer_created": ["customer_id", "created_at", "status", "platform", "value_base", "workspace_id"],
    "ix_orders_ws_status_created": ["workspace_id", "status", "created_at", "customer_id", "value_base", "platform"],
}
OLD = {
    "ix_orders_customer_created": ["customer_id", "created_at", "status", "platform", "value_base"],
    "ix_orders_ws_status_created": ["workspace_id", "status", "created_at", "customer_id", "value_base"],
}


def _swap(indexes: dict[str, list[str]]) -> None:
    for name, columns in indexes.items():
        op.drop_index(name, table_name="orders")
        op.create_index(name, "orders", columns)


def upgrade() -> None:
    _swap(NEW)


def downgrade() -> None:
    _swap(OLD)
