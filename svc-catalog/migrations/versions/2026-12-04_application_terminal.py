"""An application records the terminal it came through (政银合作, issue 20); those received before came through none.

Revision ID: catalog_0010
Revises: catalog_0009
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0010"
down_revision: str | None = "catalog_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terminal_code", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_application_terminal_code"), ["terminal_code"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_application_terminal_code_site"), "site", ["terminal_code"], ["code"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_application_terminal_code_site"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_application_terminal_code"))
        batch_op.drop_column("terminal_code")
