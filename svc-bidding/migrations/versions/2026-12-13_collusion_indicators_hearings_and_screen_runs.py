"""The indicators of 实施条例 §40 the platform holds (who registered and submitted, the bid file's machine
code), the hearing (陈述申辩) of each bidder a collusion flag names, and the record of every screen run
(issue 21).

Revision ID: bidding_0018
Revises: bidding_0017
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = "bidding_0018"
down_revision: str | None = "bidding_0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_by", sa.String(length=120), nullable=True))
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.add_column(sa.Column("machine_code", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("submitted_by", sa.String(length=120), nullable=True))
    with op.batch_alter_table("collusion_flag", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_id", sa.String(length=32), nullable=True))
    op.create_table(
        "collusion_hearing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.String(length=32), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.String(length=120), nullable=False),
        sa.Column("opened_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_basis", sa.Text(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=120), nullable=True),
        sa.Column("answered_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["flag_id"], ["collusion_flag.id"],
                                name=op.f("fk_collusion_hearing_flag_id_collusion_flag")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collusion_hearing")),
        sa.UniqueConstraint("flag_id", "credit_code", name=op.f("uq_collusion_hearing_flag_id_credit_code")),
    )
    with op.batch_alter_table("collusion_hearing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collusion_hearing_flag_id"), ["flag_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_collusion_hearing_credit_code"), ["credit_code"], unique=False)
    op.create_table(
        "screen_run",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("project_code", sa.String(length=40), nullable=True),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("run_by", sa.String(length=120), nullable=False),
        sa.Column("run_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("raised", sa.JSON(), nullable=False),
        sa.Column("matched", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen_run")),
    )
    with op.batch_alter_table("screen_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screen_run_tenant"), ["tenant"], unique=False)
        batch_op.create_index(batch_op.f("ix_screen_run_project_code"), ["project_code"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("screen_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screen_run_project_code"))
        batch_op.drop_index(batch_op.f("ix_screen_run_tenant"))
    op.drop_table("screen_run")
    with op.batch_alter_table("collusion_hearing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collusion_hearing_credit_code"))
        batch_op.drop_index(batch_op.f("ix_collusion_hearing_flag_id"))
    op.drop_table("collusion_hearing")
    with op.batch_alter_table("collusion_flag", schema=None) as batch_op:
        batch_op.drop_column("run_id")
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.drop_column("submitted_by")
        batch_op.drop_column("machine_code")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("registered_by")
