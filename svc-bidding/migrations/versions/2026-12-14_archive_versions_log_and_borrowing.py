"""The archive as an act: signed archive versions, their transparency log and checkpoints, borrowings (借阅) and
the read log (issue 21).

Revision ID: bidding_0019
Revises: bidding_0018
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = "bidding_0019"
down_revision: str | None = "bidding_0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "archive_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("previous_digest", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_parts", sa.JSON(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("archived_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retain_until", sa.Date(), nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_archive_version_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_version")),
        sa.UniqueConstraint("project_id", "version", name=op.f("uq_archive_version_project_id_version")),
    )
    with op.batch_alter_table("archive_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archive_version_project_id"), ["project_id"], unique=False)
    op.create_table(
        "archive_log_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("updated_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_log_head")),
    )
    op.create_table(
        "archive_log_leaf",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.Column("appended_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_archive_log_leaf")),
    )
    op.create_table(
        "archive_checkpoint",
        sa.Column("size", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("signed_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_archive_checkpoint")),
    )
    op.create_table(
        "archive_borrowing",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("expires_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_archive_borrowing_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_borrowing")),
    )
    with op.batch_alter_table("archive_borrowing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archive_borrowing_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_archive_borrowing_requested_by"), ["requested_by"], unique=False)
    op.create_table(
        "archive_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("reader", sa.String(length=120), nullable=False),
        sa.Column("borrowing_id", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("read_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["borrowing_id"], ["archive_borrowing.id"],
                                name=op.f("fk_archive_read_borrowing_id_archive_borrowing")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_archive_read_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_read")),
    )
    with op.batch_alter_table("archive_read", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archive_read_project_id"), ["project_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("archive_read", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_read_project_id"))
    op.drop_table("archive_read")
    with op.batch_alter_table("archive_borrowing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_borrowing_requested_by"))
        batch_op.drop_index(batch_op.f("ix_archive_borrowing_project_id"))
    op.drop_table("archive_borrowing")
    op.drop_table("archive_checkpoint")
    op.drop_table("archive_log_leaf")
    op.drop_table("archive_log_head")
    with op.batch_alter_table("archive_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_version_project_id"))
    op.drop_table("archive_version")
