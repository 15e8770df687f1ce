"""The kit's calendar years and site registry tables (the gateway's database holds every kit table).

The gateway counts no working days and checks no site against the registry; the tables exist so
that its database matches the kit's MetaData like every service's.

Revision ID: gateway_0004
Revises: gateway_0003
Create Date: 2026-12-03 04:00:00
"""

from collections.abc import Sequence

from bianmin.kit.migrations import create_registry_tables, drop_registry_tables

revision: str = "gateway_0004"
down_revision: str | None = "gateway_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    create_registry_tables()


def downgrade() -> None:
    """Revert this revision."""
    drop_registry_tables()
