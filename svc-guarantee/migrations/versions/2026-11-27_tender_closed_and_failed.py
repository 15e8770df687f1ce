"""Tenders closed and failed (from bidding.project.closed|failed): when, for the project and each section.

Revision ID: guarantee_0004
Revises: guarantee_0003
Create Date: 2026-11-27 23:42:39.593932
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = 'guarantee_0004'
down_revision: str | None = 'guarantee_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('project_section', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('project_section', schema=None) as batch_op:
        batch_op.drop_column('failed_at')

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('failed_at')
        batch_op.drop_column('closed_at')
