"""Extend-or-pay demands (URDG 758 art. 23): the demand's kind, the extension asked for, the suspension.

Revision ID: guarantee_0003
Revises: guarantee_0002
Create Date: 2026-11-27 23:35:06.774082
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = 'guarantee_0003'
down_revision: str | None = 'guarantee_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='pay', nullable=False))
        batch_op.add_column(sa.Column('requested_expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('suspended_until', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_column('suspended_until')
        batch_op.drop_column('requested_expires_on')
        batch_op.drop_column('kind')
