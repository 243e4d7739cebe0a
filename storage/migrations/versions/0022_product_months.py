"""product_months: order_products summed per product, UTC month, status and platform

A best-seller list of a year read 850,000 order_products rows at 1,000,000 orders (400 ms on SQLite). Its whole
months now come from these sums (about 6,000 rows), and only the days before the first whole month and after
the last from order_products. Filled here from order_products, as storage.repositories.order_products writes
it.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def _month(dialect: str) -> str:
    if dialect == "sqlite":
        return "substr(created_at, 1, 7) || '-01 00:00:00.000000'"
    return "date_trunc('month', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "product_months",
        sa.Column("workspace_id", big_id, sa.ForeignKey("workspaces.id", ondelete="CASCADE",
                                                        name="fk_product_months_workspace_id_workspaces"),
                  nullable=False, autoincrement=False),
        sa.Column("product", sa.String(length=640), nullable=False),
        sa.Column("month", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("unpriced", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "product", "month", "status", "platform",
                                name="pk_product_months"),
        sqlite_with_rowid=False,
    )
    month = _month(op.get_bind().dialect.name)
    op.execute(
        f"""
        INSERT INTO product_months
            (workspace_id, product, month, status, platform, units, value, orders, unpriced, name)
        SELECT workspace_id, product, {month}, status, platform, sum(units), coalesce(sum(value), 0.0), count(*),
            count(CASE WHEN value IS NULL THEN 1 END), max(name)
        FROM order_products
        GROUP BY workspace_id, product, {month}, status, platform
        """
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE product_months")


def downgrade() -> None:
    op.drop_table("product_months")
