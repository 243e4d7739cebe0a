"""outreach_drafts.request: what a draft was asked for, in its own JSON column

Until now the request was kept as JSON text in `reason`, which also holds why a refused draft was refused.
Existing requests move to the new column; `reason` keeps only refusal reasons.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outreach_drafts") as batch:
        batch.add_column(sa.Column("request", sa.JSON(), nullable=True))
    cast = "CAST(reason AS JSON)" if op.get_bind().dialect.name == "postgresql" else "reason"
    op.execute(f"UPDATE outreach_drafts SET request = {cast}, reason = NULL "
               "WHERE status <> 'refused' AND reason LIKE '{%'")


def downgrade() -> None:
    cast = "CAST(request AS TEXT)" if op.get_bind().dialect.name == "postgresql" else "request"
    op.execute(f"UPDATE outreach_drafts SET reason = {cast} WHERE status <> 'refused' AND request IS NOT NULL")
    with op.batch_alter_table("outreach_drafts") as batch:
        batch.drop_column("request")
