"""The price cap's modes: a verifiable lottery or a sealed second item at the cap (限地价; issue 21).

Revision ID: bidding_0010
Revises: bidding_0009
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = "bidding_0010"
down_revision: str | None = "bidding_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("auction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cap_mode", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("second_item", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("draw_seed", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("draw_commitment", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("draw_entrants", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("winning_second_value", bianmin.kit.db.Money(precision=18, scale=2), nullable=True))
    with op.batch_alter_table("auction_bid", schema=None) as batch_op:
        batch_op.add_column(sa.Column("second_value", bianmin.kit.db.Money(precision=18, scale=2), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("auction_bid", schema=None) as batch_op:
        batch_op.drop_column("second_value")
    with op.batch_alter_table("auction", schema=None) as batch_op:
        for column in ("winning_second_value", "draw_entrants", "draw_commitment", "draw_seed", "second_item",
                       "cap_mode"):
            batch_op.drop_column(column)
