"""Why a consultation's or an entry's deadline is provisional: a year it spans had no holiday notice (issue 20).

Revision ID: consult_0007
Revises: consult_0006
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "consult_0007"
down_revision: str | None = "consult_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    for table in ("consultation", "suggestion"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("due_basis", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    for table in ("consultation", "suggestion"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("due_basis")
