"""Applications keep the Shanghai date they finished on, so figures can count late ones in SQL.

Revision ID: catalog_0003
Revises: catalog_0002
Create Date: 2026-11-28 00:00:13.961392
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = 'catalog_0003'
down_revision: str | None = 'catalog_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add application.finished_on and fill it from finished_at."""
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finished_on', sa.Date(), nullable=True))
    bind = op.get_bind()
    shanghai = ZoneInfo("Asia/Shanghai")
    rows = bind.execute(sa.text("SELECT id, finished_at FROM application WHERE finished_at IS NOT NULL")).all()
    for row_id, finished_at in rows:
        moment = finished_at if isinstance(finished_at, datetime) else datetime.fromisoformat(str(finished_at))
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        bind.execute(sa.text("UPDATE application SET finished_on = :day WHERE id = :id"),
                     {"day": moment.astimezone(shanghai).date(), "id": row_id})


def downgrade() -> None:
    """Drop application.finished_on."""
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('finished_on')
