"""risks and suppliers: registers, versions, reviews, acceptances, assurance files, requests

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-04 15:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('risks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('owner_user_id', sa.String(length=64), nullable=False),
    sa.Column('assets', sa.JSON(), nullable=False),
    sa.Column('likelihood', sa.Integer(), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('treatment', sa.String(length=20), nullable=False),
    sa.Column('controls', sa.JSON(), nullable=False),
    sa.Column('requirements', sa.JSON(), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('residual_likelihood', sa.Integer(), nullable=False),
    sa.Column('residual_impact', sa.Integer(), nullable=False),
    sa.Column('review_cadence', sa.String(length=20), nullable=False),
    sa.Column('next_review_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_reviewed_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    with op.batch_alter_table('risks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risks_next_review_at'), ['next_review_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_risks_owner_user_id'), ['owner_user_id'], unique=False)

    op.create_table('suppliers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('owner_user_id', sa.String(length=64), nullable=False),
    sa.Column('service', sa.Text(), nullable=False),
    sa.Column('data_handled', sa.Text(), nullable=False),
    sa.Column('criticality', sa.String(length=20), nullable=False),
    sa.Column('assurance_type', sa.String(length=30), nullable=False),
    sa.Column('assurance_expires', sa.Date(), nullable=True),
    sa.Column('review_cadence', sa.String(length=20), nullable=False),
    sa.Column('next_review_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_reviewed_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suppliers_next_review_at'), ['next_review_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_suppliers_owner_user_id'), ['owner_user_id'], unique=False)

    op.create_table('risk_acceptances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('residual_score', sa.Integer(), nullable=False),
    sa.Column('accepted_by', sa.String(length=64), nullable=False),
    sa.Column('accepted_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('needs_approval', sa.Boolean(), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('risk_id', 'version')
    )
    with op.batch_alter_table('risk_acceptances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_acceptances_risk_id'), ['risk_id'], unique=False)

    op.create_table('risk_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('closed_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('risk_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_actions_risk_id'), ['risk_id'], unique=False)

    op.create_table('risk_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('reviewed_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ledger_seq', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('risk_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_reviews_risk_id'), ['risk_id'], unique=False)

    op.create_table('risk_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('how', sa.String(length=20), nullable=False),
    sa.Column('changed_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ledger_seq', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('risk_id', 'version')
    )
    with op.batch_alter_table('risk_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_versions_risk_id'), ['risk_id'], unique=False)

    op.create_table('supplier_assurances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('blob_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('assurance_type', sa.String(length=30), nullable=False),
    sa.Column('expires', sa.Date(), nullable=True),
    sa.Column('received_from', sa.String(length=64), nullable=False),
    sa.Column('received_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ledger_seq', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['blob_sha256'], ['blobs.sha256'], ),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('supplier_assurances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_assurances_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('supplier_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('data_shared', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=64), nullable=True),
    sa.Column('thread_ts', sa.String(length=32), nullable=True),
    sa.Column('supplier_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('supplier_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('how', sa.String(length=20), nullable=False),
    sa.Column('changed_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ledger_seq', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('supplier_id', 'version')
    )
    with op.batch_alter_table('supplier_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_versions_supplier_id'), ['supplier_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('supplier_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_versions_supplier_id'))

    op.drop_table('supplier_versions')
    op.drop_table('supplier_requests')
    with op.batch_alter_table('supplier_assurances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_assurances_supplier_id'))

    op.drop_table('supplier_assurances')
    with op.batch_alter_table('risk_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_versions_risk_id'))

    op.drop_table('risk_versions')
    with op.batch_alter_table('risk_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_reviews_risk_id'))

    op.drop_table('risk_reviews')
    with op.batch_alter_table('risk_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_actions_risk_id'))

    op.drop_table('risk_actions')
    with op.batch_alter_table('risk_acceptances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_acceptances_risk_id'))

    op.drop_table('risk_acceptances')
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suppliers_owner_user_id'))
        batch_op.drop_index(batch_op.f('ix_suppliers_next_review_at'))

    op.drop_table('suppliers')
    with op.batch_alter_table('risks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risks_owner_user_id'))
        batch_op.drop_index(batch_op.f('ix_risks_next_review_at'))

    op.drop_table('risks')
    
