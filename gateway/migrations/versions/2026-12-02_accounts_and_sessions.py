"""Accounts with their roles and parties, sign-in sessions and refresh tokens, citizen assertion keys (issue 19).

Revision ID: gateway_0002
Revises: gateway_0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = "gateway_0002"
down_revision: str | None = "gateway_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the account, session and assertion tables."""
    op.create_table("account",
    sa.Column("id", sa.String(length=32), nullable=False),
    sa.Column("username", sa.String(length=64), nullable=False),
    sa.Column("kind", sa.String(length=20), nullable=False),
    sa.Column("display_name", sa.String(length=200), nullable=False),
    sa.Column("password_hash", sa.String(length=200), nullable=True),
    sa.Column("totp_secret", sa.String(length=128), nullable=True),
    sa.Column("totp_last_step", sa.Integer(), nullable=True),
    sa.Column("failed_attempts", sa.Integer(), nullable=False),
    sa.Column("locked_until", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column("disabled_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column("created_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
    sa.UniqueConstraint("username", name=op.f("uq_account_username"))
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index("ix_account_created_at_id", ["created_at", "id"], unique=False)

    op.create_table("seen_assertion",
    sa.Column("issuer", sa.String(length=32), nullable=False),
    sa.Column("jti", sa.String(length=128), nullable=False),
    sa.Column("expires_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("issuer", "jti", name=op.f("pk_seen_assertion"))
    )
    with op.batch_alter_table("seen_assertion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_assertion_expires_at"), ["expires_at"], unique=False)

    op.create_table("account_party",
    sa.Column("account_id", sa.String(length=32), nullable=False),
    sa.Column("code", sa.String(length=64), nullable=False),
    sa.Column("verified_by", sa.String(length=200), nullable=False),
    sa.Column("evidence", sa.Text(), nullable=False),
    sa.Column("verified_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_account_party_account_id_account"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("account_id", "code", name=op.f("pk_account_party"))
    )
    op.create_table("account_role",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("account_id", sa.String(length=32), nullable=False),
    sa.Column("role", sa.String(length=40), nullable=False),
    sa.Column("site", sa.String(length=64), nullable=False),
    sa.Column("department", sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_account_role_account_id_account"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_account_role"))
    )
    with op.batch_alter_table("account_role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_role_account_id"), ["account_id"], unique=False)

    op.create_table("citizen_assertion_key",
    sa.Column("key_id", sa.String(length=32), nullable=False),
    sa.Column("algorithm", sa.String(length=10), nullable=False),
    sa.Column("public_key", sa.Text(), nullable=False),
    sa.Column("registered_by", sa.String(length=200), nullable=False),
    sa.Column("created_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["key_id"], ["api_key.id"], name=op.f("fk_citizen_assertion_key_key_id_api_key"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("key_id", name=op.f("pk_citizen_assertion_key"))
    )
    op.create_table("sign_in_session",
    sa.Column("id", sa.String(length=32), nullable=False),
    sa.Column("account_id", sa.String(length=32), nullable=True),
    sa.Column("citizen_id", sa.String(length=80), nullable=True),
    sa.Column("citizen_name", sa.String(length=200), nullable=True),
    sa.Column("second_factor", sa.Boolean(), nullable=False),
    sa.Column("method", sa.String(length=20), nullable=False),
    sa.Column("created_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column("expires_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_sign_in_session_account_id_account"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_session"))
    )
    with op.batch_alter_table("sign_in_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_session_account_id"), ["account_id"], unique=False)

    op.create_table("refresh_token",
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("session_id", sa.String(length=32), nullable=False),
    sa.Column("created_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column("used_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["session_id"], ["sign_in_session.id"],
                            name=op.f("fk_refresh_token_session_id_sign_in_session"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_refresh_token"))
    )
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_token_session_id"), ["session_id"], unique=False)



def downgrade() -> None:
    """Drop everything the upgrade created."""
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_token_session_id"))

    op.drop_table("refresh_token")
    with op.batch_alter_table("sign_in_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_session_account_id"))

    op.drop_table("sign_in_session")
    op.drop_table("citizen_assertion_key")
    with op.batch_alter_table("account_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_role_account_id"))

    op.drop_table("account_role")
    op.drop_table("account_party")
    with op.batch_alter_table("seen_assertion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_assertion_expires_at"))

    op.drop_table("seen_assertion")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index("ix_account_created_at_id")

    op.drop_table("account")
