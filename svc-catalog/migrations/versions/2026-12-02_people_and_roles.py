"""People and roles: who applied and who submitted an application, who recorded a redemption (issue 19).

Revision ID: catalog_0005
Revises: catalog_0004
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0005"
down_revision: str | None = "catalog_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applicant_subject", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("submitted_by", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_application_applicant_subject"), ["applicant_subject"], unique=False)
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.drop_column("recorded_by")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_applicant_subject"))
        batch_op.drop_column("submitted_by")
        batch_op.drop_column("applicant_subject")
