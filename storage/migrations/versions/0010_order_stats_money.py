"""customer_order_stats.value: a money column (NUMERIC(18, 4)) instead of a float

Every other amount is NUMERIC(18, 4); the per-customer totals were a double precision column, so on
PostgreSQL a customer's total could differ from the sum of their orders in the last cent. The covering
index that holds the column is rebuilt with it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer_order_stats") as batch:
        batch.alter_column(
            "value",
            existing_type=sa.Float(),
            type_=sa.Numeric(18, 4),
            existing_nullable=False,
            postgresql_using="round(value::numeric, 4)",
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_order_stats") as batch:
        batch.alter_column("value", existing_type=sa.Numeric(18, 4), type_=sa.Float(), existing_nullable=False)
