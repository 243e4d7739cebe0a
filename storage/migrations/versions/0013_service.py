"""interactions.reason: why a buyer returned an item or complained ("wrong size", "late delivery"), and an index
for the service figures (reviews, NPS answers and complaints of a workspace in a period)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=64), nullable=True))
    op.create_index("ix_interactions_ws_kind_time", "interactions", ["workspace_id", "kind", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_interactions_ws_kind_time", table_name="interactions")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("reason")
