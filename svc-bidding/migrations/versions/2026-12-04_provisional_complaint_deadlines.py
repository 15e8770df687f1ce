"""Why a complaint's handling deadline is provisional: a year it spans had no holiday notice (issue 20).

Revision ID: bidding_0009
Revises: bidding_0008
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bidding_0009"
down_revision: str | None = "bidding_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_basis", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_column("due_basis")
