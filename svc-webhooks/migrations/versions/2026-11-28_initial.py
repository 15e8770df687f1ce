"""The webhooks service's first revision: the kit's outbox, inbox and idempotency tables.

Revision ID: webhooks_0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from bianmin.kit.migrations import create_kit_tables, drop_kit_tables

revision: str = "webhooks_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the kit's tables."""
    create_kit_tables()


def downgrade() -> None:
    """Drop the kit's tables."""
    drop_kit_tables()
