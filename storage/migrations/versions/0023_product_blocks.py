"""product_blocks: each UTC month of order_products as packed NumPy columns

The category preference, replenishment cycles, products bought together and what lapsed customers bought read
every order_products row of their period (up to 1.5 million at 1,000,000 orders), 0.6-1.5 s on SQLite. They now
read one packed row per month. Here every month that has rows gets its row, without data: the first product
question packs them (storage.repositories.product_blocks).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "product_blocks",
        sa.Column("workspace_id", big_id, sa.ForeignKey("workspaces.id", ondelete="CASCADE",
                                                        name="fk_product_blocks_workspace_id_workspaces"),
                  nullable=False, autoincrement=False),
        sa.Column("month", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("header", sa.Text(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "month", name="pk_product_blocks"),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO product_blocks (workspace_id, month, generation) "
        "SELECT DISTINCT workspace_id, month, 0 FROM product_months"
    )


def downgrade() -> None:
    op.drop_table("product_blocks")
