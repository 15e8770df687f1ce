"""A sale's method (listing or auction) for its statutory periods, and natural persons registered to buy
state property: their kind, resident ID number, own name and account (issue 21).

Revision ID: bidding_0016
Revises: bidding_0015
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bidding_0016"
down_revision: str | None = "bidding_0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("auction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sale_method", sa.String(length=20), server_default="listing", nullable=False))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("auction", schema=None) as batch_op:
        batch_op.drop_column("sale_method")
