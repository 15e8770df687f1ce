"""Attempts keep no part of a receiver's answer, and their errors become reasons from a fixed vocabulary.

The first KiB of each answer and the text of each socket error were shown to the endpoint's
registrant, enough to read banners and scan ports behind a URL (issue 17, finding 5). The stored
excerpts are dropped with their column; stored errors are rewritten to the reasons the deliverer
now records (``timeout``, ``http_<status>`` for an answer other than 2xx, ``secret_unreadable``, and
``connection_failed`` for any other error text, whose detail is not kept).

Revision ID: webhooks_0005
Revises: webhooks_0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'webhooks_0005'
down_revision: str | None = 'webhooks_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sanitise(table: str, column: str, status: str) -> None:
    # An answer other than 2xx (a redirect was the only one with an error text): its status code says it all.
    op.execute(sa.text(f"UPDATE {table} SET {column} = 'http_' || {status} "
                       f"WHERE {status} IS NOT NULL AND ({status} < 200 OR {status} >= 300)"))
    op.execute(sa.text(f"UPDATE {table} SET {column} = 'secret_unreadable' WHERE {column} LIKE 'secret unreadable%'"))
    op.execute(sa.text(f"UPDATE {table} SET {column} = 'connection_failed' WHERE {column} IS NOT NULL "
                       f"AND {column} NOT LIKE 'http\\_%' ESCAPE '\\' AND {column} NOT IN ('timeout', 'secret_unreadable')"))


def upgrade() -> None:
    """Drop the stored answers and rewrite stored errors as reasons."""
    _sanitise("attempt", "error", "status_code")
    _sanitise("delivery", "last_error", "last_status_code")
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('response_excerpt')


def downgrade() -> None:
    """Bring the column back, empty: the answers are gone."""
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_excerpt', sa.TEXT(), nullable=True))
