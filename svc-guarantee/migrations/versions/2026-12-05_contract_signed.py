"""When the contract of a tender's section was signed (bidding.contract.signed): the winner's bid bond ends then.

Revision ID: guarantee_0009
Revises: guarantee_0008
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = "guarantee_0009"
down_revision: str | None = "guarantee_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("project_section", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contract_signed_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("project_section", schema=None) as batch_op:
        batch_op.drop_column("contract_signed_at")
