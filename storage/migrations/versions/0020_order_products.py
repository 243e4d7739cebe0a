"""order_products: one row per product of each valid or returned order, kept with the customer statistics

Every product figure (best sellers, category preference, bought together, replenishment, return rate) joined
each line of its period to its order and worked out the line's product and base-currency value per line:
1.5-7 s at 1,000,000 orders. One row per (order, product) with the order's columns beside it, in product order,
makes a best-seller list one range of the table per product (its primary key, its only index). Filled here
from the lines already imported, in the key's order, as storage.repositories.order_products writes them.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

KEY = "coalesce(nullif(trim(l.sku), ''), 'name:' || nullif(lower(trim(l.product_name)), ''))"

BACKFILL = f"""
INSERT INTO order_products
    (workspace_id, product, created_at, order_id, customer_id, status, platform, units, value, name)
SELECT min(o.workspace_id), {KEY}, min(o.created_at), o.id, min(o.customer_id), min(o.status), min(o.platform),
    sum(l.quantity),
    sum(coalesce(CAST(l.unit_price AS FLOAT) * l.quantity - coalesce(CAST(l.line_discount AS FLOAT), 0.0),
                 CAST(l.line_total AS FLOAT), 0.0)
        * CASE WHEN o.value_base IS NULL THEN NULL
               WHEN o.order_value != 0 THEN CAST(o.value_base AS FLOAT) / CAST(o.order_value AS FLOAT)
               WHEN o.currency = (SELECT w.base_currency FROM workspaces w WHERE w.id = o.workspace_id) THEN 1.0
          END),
    max(l.product_name)
FROM order_lines l JOIN orders o ON o.id = l.order_id
WHERE o.customer_id IS NOT NULL AND o.status IN ('paid', 'shipped', 'completed', 'returned')
    AND {KEY} IS NOT NULL
GROUP BY o.id, {KEY}
ORDER BY 1, 2, 3, 4
"""


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "order_products",
        sa.Column("workspace_id", big_id, sa.ForeignKey("workspaces.id", ondelete="CASCADE",
                                                        name="fk_order_products_workspace_id_workspaces"),
                  nullable=False, autoincrement=False),
        sa.Column("product", sa.String(length=640), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", big_id, nullable=False, autoincrement=False),
        sa.Column("customer_id", big_id, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "product", "created_at", "order_id", name="pk_order_products"),
        sqlite_with_rowid=False,
    )
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE order_products")


def downgrade() -> None:
    op.drop_table("order_products")
