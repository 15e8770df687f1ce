"""Recompute runs keyed by ``run_key``: the daily run of a date, or the run after a rule edit.

Revision ID: credit_0003
Revises: credit_0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "credit_0003"
down_revision: str | None = "credit_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("recompute_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("trigger", sa.String(length=20), server_default="daily", nullable=False))
        batch_op.add_column(sa.Column("rule_version", sa.Integer(), nullable=True))
    op.execute("UPDATE recompute_run SET run_key = 'daily:' || CAST(run_date AS VARCHAR(10))")
    with op.batch_alter_table("recompute_run", schema=None) as batch_op:
        batch_op.alter_column("run_key", existing_type=sa.String(length=40), nullable=False)
        batch_op.drop_constraint(batch_op.f("uq_recompute_run_run_date"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_recompute_run_run_key"), ["run_key"])


def downgrade() -> None:
    """Revert this revision."""
    op.execute("DELETE FROM recompute_run WHERE trigger <> 'daily'")
    with op.batch_alter_table("recompute_run", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_recompute_run_run_key"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_recompute_run_run_date"), ["run_date"])
        batch_op.drop_column("rule_version")
        batch_op.drop_column("trigger")
        batch_op.drop_column("run_key")
