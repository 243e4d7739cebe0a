"""reminders.kind: what a reminder is for ("reminder", or "assignment" when a churn alert's customer was taken)

"Already taken" was decided by comparing a reminder's text with the assignment sentence in every language, so a
reworded translation broke it. Existing assignment reminders are recognised once, here, by the two sentences
the bot wrote until this revision.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), server_default="reminder", nullable=False))
    reminders = sa.table("reminders", sa.column("kind", sa.String), sa.column("text", sa.Text),
                         sa.column("customer_id", sa.BigInteger))
    op.execute(
        reminders.update()
        .where(
            reminders.c.customer_id.is_not(None),
            sa.or_(reminders.c.text.like("Win back % (churn alert)"), reminders.c.text.like("挽回客户 %（流失预警）")),
        )
        .values(kind="assignment")
    )


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("kind")
