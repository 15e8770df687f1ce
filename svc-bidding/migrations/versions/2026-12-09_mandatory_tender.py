"""A tender states whether the law obliges it to be tendered (依法必须招标), for the periods of 招标投标法 §24 (issue 21).

Revision ID: bidding_0014
Revises: bidding_0013
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bidding_0014"
down_revision: str | None = "bidding_0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # Tenders stored before keep their published deadlines: they are recorded as not stating it.
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mandatory_tender", sa.Boolean(), server_default="0", nullable=False))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("mandatory_tender")
