"""The calendar's history (every version of a year loaded) and when each announcer last re-announced.

The years the previous revision loaded from the bundled package become their first version here,
so a year's history starts where its data did.

Revision ID: catalog_0007
Revises: catalog_0006
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bianmin.kit.db import UTCDateTime

revision: str = "catalog_0007"
down_revision: str | None = "catalog_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "calendar_version",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("notice", sa.String(length=200), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.Column("loaded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("year", "version", name=op.f("pk_calendar_version")),
    )
    op.create_table(
        "announcement",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("announced_at", UTCDateTime(), nullable=False),
        sa.Column("events", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_announcement")),
    )
    op.execute("INSERT INTO calendar_version (year, version, notice, days, digest, loaded_by, loaded_at) "
               "SELECT year, version, notice, days, digest, loaded_by, loaded_at FROM calendar_year")


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("announcement")
    op.drop_table("calendar_version")
