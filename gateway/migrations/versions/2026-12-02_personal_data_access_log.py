"""The personal-data access log (bianmin.kit.access_log), which the kit keeps in every database it migrates, the gateway's too.

Revision ID: gateway_0003
Revises: gateway_0002
Create Date: 2026-12-02 17:20:00
"""

from collections.abc import Sequence

from bianmin.kit.migrations import create_access_log, drop_access_log

revision: str = "gateway_0003"
down_revision: str | None = "gateway_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    create_access_log()


def downgrade() -> None:
    """Revert this revision."""
    drop_access_log()
