"""The buyers' project registry, refused direct-contract filings kept, and the signing day of a filing (issue 21).

Revision ID: bidding_0011
Revises: bidding_0010
Create Date: 2026-12-05 09:00:00

Direct contracts filed before this revision were awarded at filing; they stay awarded, and their
signing day is read back from the day their contract was recorded as signed (Asia/Shanghai).
"""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = "bidding_0011"
down_revision: str | None = "bidding_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHANGHAI = ZoneInfo("Asia/Shanghai")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "project_subject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_credit_code", sa.String(length=18), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("site_code", sa.String(length=20), nullable=False),
        sa.Column("tenant", sa.String(length=20), nullable=False),
        sa.Column("created_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_subject")),
        sa.UniqueConstraint("buyer_credit_code", "code", name=op.f("uq_project_subject_buyer_credit_code_code")),
        sa.UniqueConstraint("buyer_credit_code", "name_key", name=op.f("uq_project_subject_buyer_credit_code_name_key")),
    )
    with op.batch_alter_table("project_subject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_subject_buyer_credit_code"), ["buyer_credit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_subject_tenant"), ["tenant"], unique=False)
    op.create_table(
        "refused_filing",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("tenant", sa.String(length=20), nullable=False),
        sa.Column("site_code", sa.String(length=20), nullable=False),
        sa.Column("buyer_credit_code", sa.String(length=18), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("subject_code", sa.String(length=40), nullable=False),
        sa.Column("contractor_credit_code", sa.String(length=18), nullable=False),
        sa.Column("amount", bianmin.kit.db.Money(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("refused_at", bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refused_filing")),
    )
    with op.batch_alter_table("refused_filing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refused_filing_buyer_credit_code"), ["buyer_credit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_refused_filing_tenant"), ["tenant"], unique=False)
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_on", sa.Date(), nullable=True))
    project = sa.table("project", sa.column("id", sa.Integer()), sa.column("method", sa.String()),
                       sa.column("bid_deadline", bianmin.kit.db.UTCDateTime(timezone=True)),
                       sa.column("signed_on", sa.Date()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(project.c.id, project.c.bid_deadline).where(project.c.method == "direct")).all()
    for row_id, signed_at in rows:
        if isinstance(signed_at, datetime):
            bind.execute(project.update().where(project.c.id == row_id)
                         .values(signed_on=signed_at.astimezone(SHANGHAI).date()))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("signed_on")
    with op.batch_alter_table("refused_filing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refused_filing_tenant"))
        batch_op.drop_index(batch_op.f("ix_refused_filing_buyer_credit_code"))
    op.drop_table("refused_filing")
    with op.batch_alter_table("project_subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_subject_tenant"))
        batch_op.drop_index(batch_op.f("ix_project_subject_buyer_credit_code"))
    op.drop_table("project_subject")
