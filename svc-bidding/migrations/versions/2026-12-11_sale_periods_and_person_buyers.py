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
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bidder_kind", sa.String(length=20), server_default="enterprise", nullable=False))
        batch_op.add_column(sa.Column("id_number", sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column("person_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("owner_subject", sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f("ix_registration_owner_subject"), ["owner_subject"], unique=False)
        batch_op.create_index(batch_op.f("ix_registration_id_number"), ["id_number"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_id_number"))
        batch_op.drop_index(batch_op.f("ix_registration_owner_subject"))
        batch_op.drop_column("owner_subject")
        batch_op.drop_column("person_name")
        batch_op.drop_column("id_number")
        batch_op.drop_column("bidder_kind")
    with op.batch_alter_table("auction", schema=None) as batch_op:
        batch_op.drop_column("sale_method")
