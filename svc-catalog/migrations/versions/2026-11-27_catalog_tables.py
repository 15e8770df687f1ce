"""The catalog tables: departments, sites, items, revisions, search index, applications, evaluations, policies.

Revision ID: catalog_0002
Revises: catalog_0001
Create Date: 2026-11-27 23:12:52.797113
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bianmin.kit.db import Money, UTCDateTime

revision: str = 'catalog_0002'
down_revision: str | None = 'catalog_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""

    op.create_table('agreement',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('partner_region', sa.String(length=100), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=30), nullable=False),
    sa.Column('item_codes', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement')),
    sa.UniqueConstraint('partner_region', 'signed_on', 'mode', name=op.f('uq_agreement_partner_region_signed_on_mode'))
    )
    op.create_table('department',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_department'))
    )
    op.create_table('site',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('parent_code', sa.String(length=20), nullable=True),
    sa.Column('tenant', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=200), server_default='', nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lng', sa.Float(), nullable=False),
    sa.Column('opening_hours', sa.String(length=200), server_default='', nullable=False),
    sa.Column('phone', sa.String(length=30), server_default='', nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_code'], ['site.code'], name=op.f('fk_site_parent_code_site')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_site'))
    )
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.create_index('ix_site_lat_lng', ['lat', 'lng'], unique=False)
        batch_op.create_index(batch_op.f('ix_site_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_site_parent_code'), ['parent_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_site_tenant'), ['tenant'], unique=False)

    op.create_table('item',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('basic_code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=False),
    sa.Column('target_group', sa.String(length=10), nullable=False),
    sa.Column('exercise_level', sa.String(length=20), nullable=False),
    sa.Column('legal_limit_days', sa.Integer(), nullable=False),
    sa.Column('promised_limit_days', sa.Integer(), nullable=False),
    sa.Column('fee', Money(), nullable=False),
    sa.Column('fee_basis', sa.String(length=300), server_default='', nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('appointment', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('cross_province_mode', sa.String(length=30), nullable=True),
    sa.Column('cross_province_regions', sa.JSON(), nullable=False),
    sa.Column('auto_approve', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_item_department_code_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item')),
    sa.UniqueConstraint('code', name=op.f('uq_item_code'))
    )
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_basic_code'), ['basic_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_status'), ['status'], unique=False)

    op.create_table('policy',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=False),
    sa.Column('expected_amount', Money(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_policy_department_code_department')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_policy'))
    )
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_department_code'), ['department_code'], unique=False)

    op.create_table('application',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=60), nullable=False),
    sa.Column('item_revision', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=False),
    sa.Column('site_code', sa.String(length=20), nullable=False),
    sa.Column('tenant', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('applicant_type', sa.String(length=10), nullable=False),
    sa.Column('applicant_id_number', sa.String(length=18), nullable=False),
    sa.Column('applicant_name', sa.String(length=100), nullable=False),
    sa.Column('applicant_phone', sa.String(length=20), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('auto_approved', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('submitted_at', UTCDateTime(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('promised_date', sa.Date(), nullable=False),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.Column('certificate_no', sa.String(length=60), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_application_item_id_item')),
    sa.ForeignKeyConstraint(['site_code'], ['site.code'], name=op.f('fk_application_site_code_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    sa.UniqueConstraint('number', name=op.f('uq_application_number'))
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_site_code'), ['site_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_status'), ['status'], unique=False)
        batch_op.create_index('ix_application_status_promised', ['status', 'promised_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_submitted_on'), ['submitted_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_tenant'), ['tenant'], unique=False)

    op.create_table('item_channel',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_item_channel_item_id_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'channel', name=op.f('pk_item_channel'))
    )
    with op.batch_alter_table('item_channel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_channel_channel'), ['channel'], unique=False)

    op.create_table('item_revision',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('change', sa.String(length=30), nullable=False),
    sa.Column('changed_by', sa.String(length=100), nullable=False),
    sa.Column('changed_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_item_revision_item_id_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'revision', name=op.f('pk_item_revision'))
    )
    op.create_table('offering',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('site_code', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_offering_item_id_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_code'], ['site.code'], name=op.f('fk_offering_site_code_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'site_code', 'channel', name=op.f('pk_offering'))
    )
    with op.batch_alter_table('offering', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offering_site_code'), ['site_code'], unique=False)

    op.create_table('redemption',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('policy_code', sa.String(length=40), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('enterprise_name', sa.String(length=200), nullable=False),
    sa.Column('amount', Money(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['policy_code'], ['policy.code'], name=op.f('fk_redemption_policy_code_policy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redemption'))
    )
    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redemption_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_redemption_policy_code'), ['policy_code'], unique=False)

    op.create_table('search_gram',
    sa.Column('gram', sa.String(length=40), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_search_gram_item_id_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gram', 'item_id', name=op.f('pk_search_gram'))
    )
    with op.batch_alter_table('search_gram', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_gram_item_id'), ['item_id'], unique=False)

    op.create_table('application_step',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                            name=op.f('fk_application_step_application_id_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_step'))
    )
    with op.batch_alter_table('application_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_step_application_id'), ['application_id'], unique=False)

    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('tenant', sa.String(length=20), nullable=False),
    sa.Column('site_code', sa.String(length=20), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('submitted_at', UTCDateTime(), nullable=False),
    sa.Column('case_status', sa.String(length=20), nullable=True),
    sa.Column('contact_due', sa.Date(), nullable=True),
    sa.Column('fix_due', sa.Date(), nullable=True),
    sa.Column('contacted_at', UTCDateTime(), nullable=True),
    sa.Column('contact_note', sa.Text(), server_default='', nullable=False),
    sa.Column('rectified_at', UTCDateTime(), nullable=True),
    sa.Column('rectification_note', sa.Text(), server_default='', nullable=False),
    sa.Column('second_level', sa.Integer(), nullable=True),
    sa.Column('second_rated_at', UTCDateTime(), nullable=True),
    sa.Column('appeal_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('appealed_at', UTCDateTime(), nullable=True),
    sa.Column('appeal_decision', sa.String(length=20), nullable=True),
    sa.Column('appeal_decided_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_evaluation_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation')),
    sa.UniqueConstraint('application_id', name=op.f('uq_evaluation_application_id'))
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_case_status'), ['case_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_site_code'), ['site_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_tenant'), ['tenant'], unique=False)




def downgrade() -> None:
    """Revert this revision."""

    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_tenant'))
        batch_op.drop_index(batch_op.f('ix_evaluation_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_evaluation_site_code'))
        batch_op.drop_index(batch_op.f('ix_evaluation_department_code'))
        batch_op.drop_index(batch_op.f('ix_evaluation_case_status'))

    op.drop_table('evaluation')
    with op.batch_alter_table('application_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_step_application_id'))

    op.drop_table('application_step')
    with op.batch_alter_table('search_gram', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_gram_item_id'))

    op.drop_table('search_gram')
    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redemption_policy_code'))
        batch_op.drop_index(batch_op.f('ix_redemption_credit_code'))

    op.drop_table('redemption')
    with op.batch_alter_table('offering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offering_site_code'))

    op.drop_table('offering')
    op.drop_table('item_revision')
    with op.batch_alter_table('item_channel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_channel_channel'))

    op.drop_table('item_channel')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_tenant'))
        batch_op.drop_index(batch_op.f('ix_application_submitted_on'))
        batch_op.drop_index(batch_op.f('ix_application_submitted_at'))
        batch_op.drop_index('ix_application_status_promised')
        batch_op.drop_index(batch_op.f('ix_application_status'))
        batch_op.drop_index(batch_op.f('ix_application_site_code'))
        batch_op.drop_index(batch_op.f('ix_application_item_id'))
        batch_op.drop_index(batch_op.f('ix_application_department_code'))

    op.drop_table('application')
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_department_code'))

    op.drop_table('policy')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_status'))
        batch_op.drop_index(batch_op.f('ix_item_department_code'))
        batch_op.drop_index(batch_op.f('ix_item_basic_code'))

    op.drop_table('item')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_tenant'))
        batch_op.drop_index(batch_op.f('ix_site_parent_code'))
        batch_op.drop_index(batch_op.f('ix_site_level'))
        batch_op.drop_index('ix_site_lat_lng')

    op.drop_table('site')
    op.drop_table('department')
    op.drop_table('agreement')

