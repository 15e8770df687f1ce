"""The credit tables: enterprises, rule versions, records, bonuses, repairs, color changes, runs.

Revision ID: credit_0002
Revises: credit_0001
Create Date: 2026-11-27 23:16:03.446739
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = 'credit_0002'
down_revision: str | None = 'credit_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('enterprise',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('legacy_code', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('color', sa.String(length=10), nullable=True),
    sa.Column('score', bianmin.kit.db.Money(precision=18, scale=2), nullable=True),
    sa.Column('rule_version', sa.Integer(), nullable=True),
    sa.Column('coded_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_enterprise_credit_code'))
    )
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_color'), ['color'], unique=False)

    op.create_table('recompute_run',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_date', sa.Date(), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=False),
    sa.Column('started_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('enterprises', sa.Integer(), server_default='0', nullable=False),
    sa.Column('changes', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recompute_run')),
    sa.UniqueConstraint('run_date', name=op.f('uq_recompute_run_run_date'))
    )
    op.create_table('rule_set',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), server_default='', nullable=False),
    sa.Column('valid_from', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_rule_set'))
    )
    op.create_table('bad_record',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('points', bianmin.kit.db.Money(precision=18, scale=2), nullable=False),
    sa.Column('publication_months', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('source_ref', sa.String(length=200), nullable=True),
    sa.Column('site_code', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_bad_record_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bad_record')),
    sa.UniqueConstraint('source_ref', name=op.f('uq_bad_record_source_ref'))
    )
    with op.batch_alter_table('bad_record', schema=None) as batch_op:
        batch_op.create_index('ix_bad_record_enterprise_status', ['enterprise_id', 'status'], unique=False)

    op.create_table('bonus_item',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('points', bianmin.kit.db.Money(precision=18, scale=2), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decision_note', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_bonus_item_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bonus_item'))
    )
    with op.batch_alter_table('bonus_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bonus_item_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('color_change',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('old_color', sa.String(length=10), nullable=True),
    sa.Column('new_color', sa.String(length=10), nullable=False),
    sa.Column('score', bianmin.kit.db.Money(precision=18, scale=2), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('changed_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_color_change_enterprise_id_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_color_change'))
    )
    with op.batch_alter_table('color_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_color_change_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_color_change_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('record_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['bad_record.id'], name=op.f('fk_record_history_record_id_bad_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_history'))
    )
    with op.batch_alter_table('record_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_history_record_id'), ['record_id'], unique=False)

    op.create_table('repair_application',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('commitment', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('submitted_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by', sa.String(length=100), nullable=False),
    sa.Column('decided_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decision_note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['bad_record.id'], name=op.f('fk_repair_application_record_id_bad_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repair_application'))
    )
    with op.batch_alter_table('repair_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repair_application_record_id'), ['record_id'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('repair_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repair_application_record_id'))

    op.drop_table('repair_application')
    with op.batch_alter_table('record_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_history_record_id'))

    op.drop_table('record_history')
    with op.batch_alter_table('color_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_color_change_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_color_change_changed_at'))

    op.drop_table('color_change')
    with op.batch_alter_table('bonus_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bonus_item_enterprise_id'))

    op.drop_table('bonus_item')
    with op.batch_alter_table('bad_record', schema=None) as batch_op:
        batch_op.drop_index('ix_bad_record_enterprise_status')

    op.drop_table('bad_record')
    op.drop_table('rule_set')
    op.drop_table('recompute_run')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_color'))

    op.drop_table('enterprise')
