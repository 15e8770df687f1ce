"""The personal-data access log (bianmin.kit.access_log): who read whose personal data unmasked, when and why.

Revision ID: webhooks_0006
Revises: webhooks_0005
Create Date: 2026-12-02 17:20:00
"""

from collections.abc import Sequence

from bianmin.kit.migrations import create_access_log, drop_access_log

revision: str = "webhooks_0006"
down_revision: str | None = "webhooks_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    create_access_log()


def downgrade() -> None:
    """Revert this revision."""
    drop_access_log()
