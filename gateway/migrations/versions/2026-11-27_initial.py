"""The gateway's first revision: API keys, OAuth2 clients, and the kit's tables.

Revision ID: gateway_0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bianmin.kit.db import UTCDateTime
from bianmin.kit.migrations import create_kit_tables, drop_kit_tables

revision: str = "gateway_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _credential_table(name: str, id_length: int) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.String(length=id_length), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("rate_limit", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(f"ix_{name}_created_at_id", name, ["created_at", "id"], unique=False)


def upgrade() -> None:
    """Create the kit's tables, then the API key and OAuth2 client tables."""
    create_kit_tables()
    _credential_table("api_key", 32)
    _credential_table("oauth_client", 40)


def downgrade() -> None:
    """Drop everything the upgrade created."""
    op.drop_index("ix_oauth_client_created_at_id", table_name="oauth_client")
    op.drop_table("oauth_client")
    op.drop_index("ix_api_key_created_at_id", table_name="api_key")
    op.drop_table("api_key")
    drop_kit_tables()
