"""The personal-data access log (bianmin.kit.access_log): who read whose personal data unmasked, when and why.

Revision ID: bidding_0007
Revises: bidding_0006
Create Date: 2026-12-02 17:20:00
"""

from collections.abc import Sequence

from bianmin.kit.migrations import create_access_log, drop_access_log

revision: str = "bidding_0007"
down_revision: str | None = "bidding_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    create_access_log()


def downgrade() -> None:
    """Revert this revision."""
    drop_access_log()
