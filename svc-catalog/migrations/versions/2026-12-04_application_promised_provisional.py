"""Applications record whether their promised date was counted across a year without a holiday notice, and why.

Revision ID: catalog_0008
Revises: catalog_0007
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0008"
down_revision: str | None = "catalog_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("promised_provisional", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("promised_basis", sa.String(length=300), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("promised_basis")
        batch_op.drop_column("promised_provisional")
