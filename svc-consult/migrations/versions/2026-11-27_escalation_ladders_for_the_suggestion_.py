"""Escalation ladders for the suggestion box, and restarts of the ladder after an approved extension.

Revision ID: consult_0003
Revises: consult_0002
Create Date: 2026-11-27 23:36:39.000455
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = 'consult_0003'
down_revision: str | None = 'consult_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('suggestion_escalation',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('suggestion_id', sa.String(length=32), nullable=False),
    sa.Column('step', sa.String(length=12), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.Column('supervisor_code', sa.String(length=20), nullable=True),
    sa.Column('due_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'],
                            name=op.f('fk_suggestion_escalation_suggestion_id_suggestion'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_escalation')),
    sa.UniqueConstraint('suggestion_id', 'step', name=op.f('uq_suggestion_escalation_suggestion_id_step'))
    )
    with op.batch_alter_table('suggestion_escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_escalation_at'), ['at'], unique=False)

    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ladder', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ladder', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_escalation_consultation_id_round_step'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_escalation_consultation_id_round_ladder_step'),
                                          ['consultation_id', 'round', 'ladder', 'step'])



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_escalation_consultation_id_round_ladder_step'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_escalation_consultation_id_round_step'), ['consultation_id', 'round', 'step'])
        batch_op.drop_column('ladder')

    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_column('ladder')

    with op.batch_alter_table('suggestion_escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_escalation_at'))

    op.drop_table('suggestion_escalation')
