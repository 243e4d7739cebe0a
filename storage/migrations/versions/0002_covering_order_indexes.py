"""Covering indexes on orders for the metrics queries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW = {
    "ix_orders_customer_created": ["customer_id", "created_at", "status", "platform", "value_base"],
    "ix_orders_ws_status_created": ["workspace_id", "status", "created_at", "customer_id", "value_base"],
}
OLD = {
    "ix_orders_customer_created": ["customer_id", "created_at"],
    "ix_orders_ws_status_created": ["workspace_id", "status", "created_at"],
}


def _swap(indexes: dict[str, list[str]]) -> None:
    for name, columns in indexes.items():
        op.drop_index(name, table_name="orders")
        op.create_index(name, "orders", columns)


def upgrade() -> None:
    _swap(NEW)


def downgrade() -> None:
    _swap(OLD)
