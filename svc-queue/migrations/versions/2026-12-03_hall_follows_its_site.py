"""Whether a hall is open: False while its site is closed in the district's registry (catalog.site.changed).

Revision ID: queue_0007
Revises: queue_0006
Create Date: 2026-12-03 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'queue_0007'
down_revision: str | None = 'queue_0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('hall', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('hall', schema=None) as batch_op:
        batch_op.drop_column('active')
