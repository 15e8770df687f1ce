"""Complaints from any interested party, with attachments by hash and the acceptance step (issue 21).

Revision ID: bidding_0012
Revises: bidding_0011
Create Date: 2026-12-05 10:00:00

Complaints filed before this revision were all a bidder's; they have no acceptance deadline recorded
(``accept_due_at`` stays empty) and are accepted like any other before they are decided.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = "bidding_0012"
down_revision: str | None = "bidding_0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.alter_column("complainant_credit_code", existing_type=sa.String(length=18), nullable=True)
        batch_op.add_column(sa.Column("complainant_kind", sa.String(length=20), server_default="bidder", nullable=False))
        batch_op.add_column(sa.Column("complainant_id", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("interest", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("attachments", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("accept_due_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("accepted_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_column("accepted_by")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("accept_due_at")
        batch_op.drop_column("attachments")
        batch_op.drop_column("interest")
        batch_op.drop_column("complainant_id")
        batch_op.drop_column("complainant_kind")
        batch_op.alter_column("complainant_credit_code", existing_type=sa.String(length=18), nullable=False)
