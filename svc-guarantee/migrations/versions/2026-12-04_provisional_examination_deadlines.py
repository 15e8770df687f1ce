"""Why a demand's examination deadline is provisional: a year it spans had no holiday notice (issue 20).

Revision ID: guarantee_0007
Revises: guarantee_0006
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "guarantee_0007"
down_revision: str | None = "guarantee_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("examine_by_basis", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("examine_by_basis")
