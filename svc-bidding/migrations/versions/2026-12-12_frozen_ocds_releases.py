"""OCDS releases stored when their event happens, and a direct contract's contractor name (issue 21).

Releases used to be rebuilt from the project's current state on every read. What was known at an
earlier event cannot be recovered from today's state (rebuilding it is the fault this mends), so no
release is reconstructed here: a project published before this revision publishes from its next event on.

Revision ID: bidding_0017
Revises: bidding_0016
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = "bidding_0017"
down_revision: str | None = "bidding_0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contractor_name", sa.String(length=200), nullable=True))
    op.create_table(
        "ocds_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_ocds_release_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocds_release")),
    )
    with op.batch_alter_table("ocds_release", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ocds_release_at"), ["at"], unique=False)
        batch_op.create_index("ix_ocds_release_project_id_id", ["project_id", "id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("ocds_release", schema=None) as batch_op:
        batch_op.drop_index("ix_ocds_release_project_id_id")
        batch_op.drop_index(batch_op.f("ix_ocds_release_at"))
    op.drop_table("ocds_release")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("contractor_name")
