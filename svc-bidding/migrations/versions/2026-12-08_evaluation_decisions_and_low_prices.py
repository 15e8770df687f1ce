"""The committee's and tenderer's decisions, abnormally low prices, the tender's floor of valid bids (issue 21).

Revision ID: bidding_0013
Revises: bidding_0012
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = "bidding_0013"
down_revision: str | None = "bidding_0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "evaluation_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_evaluation_decision_project_id_project")),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_evaluation_decision_section_id_section")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_decision")),
    )
    with op.batch_alter_table("evaluation_decision", schema=None) as batch_op:
        batch_op.create_index("ix_evaluation_decision_project", ["project_id", "id"], unique=False)
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_valid_bids", sa.Integer(), nullable=True))
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.add_column(sa.Column("low_price_flag", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("low_price_decision", sa.String(length=20), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.drop_column("low_price_decision")
        batch_op.drop_column("low_price_flag")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("min_valid_bids")
    with op.batch_alter_table("evaluation_decision", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluation_decision_project")
    op.drop_table("evaluation_decision")
