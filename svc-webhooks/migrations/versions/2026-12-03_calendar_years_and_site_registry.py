"""The calendar's years (loaded from the bundled package) and the site registry (bianmin.kit.calendar, bianmin.kit.site_registry).

Revision ID: webhooks_0007
Revises: webhooks_0006
Create Date: 2026-12-03 04:00:00
"""

from collections.abc import Sequence

from bianmin.kit.migrations import create_registry_tables, drop_registry_tables

revision: str = "webhooks_0007"
down_revision: str | None = "webhooks_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    create_registry_tables()


def downgrade() -> None:
    """Revert this revision."""
    drop_registry_tables()
