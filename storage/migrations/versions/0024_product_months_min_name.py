"""product_months.min_name: the smallest of the rows' names beside the largest

A product (a SKU) whose lines carry several names (its variants: "Cushion Foundation", "Cushion Foundation -
#25 Tan") was shown with the largest, one variant's name for every variant's units. It is now shown with what
its smallest and largest names share at their start (storage.repositories.products.display_name), so the
monthly sums keep the smallest too. Re-summed here from order_products, as migration 0022 filled them.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def _month(dialect: str) -> str:
    if dialect == "sqlite":
        return "substr(created_at, 1, 7) || '-01 00:00:00.000000'"
    return "date_trunc('month', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"


def upgrade() -> None:
    with op.batch_alter_table("product_months") as batch:
        batch.add_column(sa.Column("min_name", sa.String(length=500), nullable=True))
    month = _month(op.get_bind().dialect.name)
    op.execute("DELETE FROM product_months")
    op.execute(
        f"""
        INSERT INTO product_months
            (workspace_id, product, month, status, platform, units, value, orders, unpriced, name, min_name)
        SELECT workspace_id, product, {month}, status, platform, sum(units), coalesce(sum(value), 0.0), count(*),
            count(CASE WHEN value IS NULL THEN 1 END), max(name), min(name)
        FROM order_products
        GROUP BY workspace_id, product, {month}, status, platform
        """
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE product_months")


def downgrade() -> None:
    with op.batch_alter_table("product_months") as batch:
        batch.drop_column("min_name")
