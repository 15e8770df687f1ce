"""An endpoint records its owner: the key that last saved it and that key's scopes.

Endpoints stored before this revision get no owner (both columns null): the tenant and key that
registered them are known, but not the scopes the key held, and an endpoint receives only what its
owner may read. So they receive no deliveries until someone of their township (for a district-wide
endpoint, the key that registered it) saves them again with a PATCH, which records that key as owner.

Revision ID: webhooks_0004
Revises: webhooks_0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'webhooks_0004'
down_revision: str | None = 'webhooks_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('endpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_key_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('owner_scopes', sa.JSON(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('endpoint', schema=None) as batch_op:
        batch_op.drop_column('owner_scopes')
        batch_op.drop_column('owner_key_id')
