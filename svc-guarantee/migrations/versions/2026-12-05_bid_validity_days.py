"""The bid validity period a tender publishes, which every bid bond must cover (issue 21).

Revision ID: guarantee_0008
Revises: guarantee_0007
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "guarantee_0008"
down_revision: str | None = "guarantee_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bid_validity_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("bid_validity_days")
