"""erased_buyers: keyed digests of erased buyers' identities, so a re-import does not bring them back;
rule_firings.next_step and resume_at: a rule's steps after a wait

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "erased_buyers",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("workspace_id", BigId, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_erased_buyers_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_buyers")),
        sa.UniqueConstraint("workspace_id", "digest", name=op.f("uq_erased_buyers_workspace_id_digest")),
    )
    op.add_column("rule_firings", sa.Column("next_step", sa.Integer(), nullable=True))
    op.add_column("rule_firings", sa.Column("resume_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rule_firings") as batch:
        batch.drop_column("resume_at")
        batch.drop_column("next_step")
    op.drop_table("erased_buyers")
