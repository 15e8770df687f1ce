"""The committee's tenderer representatives (招标投标法 §37), the supervisor's seed contribution, and the log of
declined experts' substitute draws (issue 21).

Revision ID: bidding_0015
Revises: bidding_0014
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = "bidding_0015"
down_revision: str | None = "bidding_0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("expert_draw", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tenderer_representatives", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("contributed_seed", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("contributed_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("contributed_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "expert_decline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("expert_code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declined_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("replaced_by", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["draw_id"], ["expert_draw.id"], name=op.f("fk_expert_decline_draw_id_expert_draw")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_decline")),
    )
    with op.batch_alter_table("expert_decline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_decline_draw_id"), ["draw_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("expert_decline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_decline_draw_id"))
    op.drop_table("expert_decline")
    with op.batch_alter_table("expert_draw", schema=None) as batch_op:
        batch_op.drop_column("contributed_at")
        batch_op.drop_column("contributed_by")
        batch_op.drop_column("contributed_seed")
        batch_op.drop_column("tenderer_representatives")
