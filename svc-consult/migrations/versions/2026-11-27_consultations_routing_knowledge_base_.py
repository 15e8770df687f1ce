"""Consultations with routing, deadlines and escalation; the knowledge base; the suggestion box.

Revision ID: consult_0002
Revises: consult_0001
Create Date: 2026-11-27 23:15:10.469870
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bianmin.kit.db

revision: str = 'consult_0002'
down_revision: str | None = 'consult_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('article',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=True),
    sa.Column('item_code', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('source_consultation_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article')),
    sa.UniqueConstraint('source_consultation_id', name=op.f('uq_article_source_consultation_id'))
    )
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_status'), ['status'], unique=False)

    op.create_table('consultation',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('tenant', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=True),
    sa.Column('department_code', sa.String(length=20), nullable=True),
    sa.Column('routed_by', sa.String(length=10), nullable=False),
    sa.Column('topic', sa.String(length=100), server_default='', nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('contact_email', sa.String(length=200), nullable=True),
    sa.Column('consent_publish', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('access_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('submitted_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('clock_started_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.Column('extension_days', sa.Integer(), server_default='0', nullable=False),
    sa.Column('paused_workdays', sa.Integer(), server_default='0', nullable=False),
    sa.Column('paused_since', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('due_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('round', sa.Integer(), server_default='0', nullable=False),
    sa.Column('first_response_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.String(length=100), nullable=True),
    sa.Column('answered_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_on_time', sa.Boolean(), nullable=True),
    sa.Column('closed_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.String(length=24), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('rated_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('article_id', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation')),
    sa.UniqueConstraint('access_hash', name=op.f('uq_consultation_access_hash')),
    sa.UniqueConstraint('number', name=op.f('uq_consultation_number'))
    )
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_status'), ['status'], unique=False)
        batch_op.create_index('ix_consultation_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_tenant'), ['tenant'], unique=False)

    op.create_table('department',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('supervisor_code', sa.String(length=20), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('updated_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_department'))
    )
    op.create_table('item_route',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_item_route'))
    )
    op.create_table('routing_rule',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('keyword', sa.String(length=50), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.Integer(), server_default='0', nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('created_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rule'))
    )
    op.create_table('suggestion',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('tracking_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('submitted_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_by', sa.String(length=100), nullable=True),
    sa.Column('replied_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion')),
    sa.UniqueConstraint('tracking_hash', name=op.f('uq_suggestion_tracking_hash'))
    )
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_tenant'), ['tenant'], unique=False)

    op.create_table('article_gram',
    sa.Column('article_id', sa.String(length=32), nullable=False),
    sa.Column('gram', sa.String(length=2), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_gram_article_id_article'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'gram', name=op.f('pk_article_gram'))
    )
    with op.batch_alter_table('article_gram', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_gram_gram'), ['gram'], unique=False)

    op.create_table('consultation_message',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('consultation_id', sa.String(length=32), nullable=False),
    sa.Column('author', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                            name=op.f('fk_consultation_message_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_message'))
    )
    with op.batch_alter_table('consultation_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_message_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultation_pause',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('consultation_id', sa.String(length=32), nullable=False),
    sa.Column('started_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('workdays', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                            name=op.f('fk_consultation_pause_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_pause'))
    )
    with op.batch_alter_table('consultation_pause', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_pause_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultation_transfer',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('consultation_id', sa.String(length=32), nullable=False),
    sa.Column('from_department', sa.String(length=20), nullable=True),
    sa.Column('to_department', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('by_key', sa.String(length=100), nullable=False),
    sa.Column('at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                            name=op.f('fk_consultation_transfer_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_transfer'))
    )
    with op.batch_alter_table('consultation_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_transfer_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('escalation',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('consultation_id', sa.String(length=32), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=12), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=True),
    sa.Column('due_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                            name=op.f('fk_escalation_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation')),
    sa.UniqueConstraint('consultation_id', 'round', 'step', name=op.f('uq_escalation_consultation_id_round_step'))
    )
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_at'), ['at'], unique=False)

    op.create_table('extension_request',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('consultation_id', sa.String(length=32), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('requested_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                            name=op.f('fk_extension_request_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_request'))
    )
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_request_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('rectification',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('consultation_id', sa.String(length=32), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=True),
    sa.Column('tenant', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('opened_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('contact_due_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fix_due_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('contacted_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fixed_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('follow_up_rating', sa.String(length=24), nullable=True),
    sa.Column('closed_at', bianmin.kit.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                            name=op.f('fk_rectification_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_rectification_consultation_id'))
    )
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_department_code'), ['department_code'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_department_code'))

    op.drop_table('rectification')
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extension_request_consultation_id'))

    op.drop_table('extension_request')
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_at'))

    op.drop_table('escalation')
    with op.batch_alter_table('consultation_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_transfer_consultation_id'))

    op.drop_table('consultation_transfer')
    with op.batch_alter_table('consultation_pause', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_pause_consultation_id'))

    op.drop_table('consultation_pause')
    with op.batch_alter_table('consultation_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_message_consultation_id'))

    op.drop_table('consultation_message')
    with op.batch_alter_table('article_gram', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_gram_gram'))

    op.drop_table('article_gram')
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_tenant'))
        batch_op.drop_index(batch_op.f('ix_suggestion_status'))
        batch_op.drop_index(batch_op.f('ix_suggestion_department_code'))

    op.drop_table('suggestion')
    op.drop_table('routing_rule')
    op.drop_table('item_route')
    op.drop_table('department')
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_tenant'))
        batch_op.drop_index('ix_consultation_status_due')
        batch_op.drop_index(batch_op.f('ix_consultation_status'))
        batch_op.drop_index(batch_op.f('ix_consultation_due_at'))
        batch_op.drop_index(batch_op.f('ix_consultation_department_code'))

    op.drop_table('consultation')
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_status'))
        batch_op.drop_index(batch_op.f('ix_article_department_code'))

    op.drop_table('article')
