"""access reviews: people directory, account mappings, systems, snapshots, accounts, reviews, items, removals

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 14:58:08.031036
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('access_account_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('system', 'account_id')
    )
    op.create_table('access_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('systems', sa.JSON(), nullable=False),
    sa.Column('reviewer_mode', sa.String(length=16), nullable=False),
    sa.Column('due_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('access_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_reviews_status'), ['status'], unique=False)

    op.create_table('access_systems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('owner_email', sa.String(length=200), nullable=True),
    sa.Column('owner_user_id', sa.String(length=64), nullable=True),
    sa.Column('connector', sa.String(length=32), nullable=True),
    sa.Column('snapshot_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('directory_people',
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=True),
    sa.Column('manager_email', sa.String(length=200), nullable=True),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('deactivated', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('updated_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('email')
    )
    with op.batch_alter_table('directory_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_people_user_id'), ['user_id'], unique=False)

    op.create_table('access_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('taken_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('accounts', sa.Integer(), nullable=False),
    sa.Column('taken_by', sa.String(length=200), nullable=False),
    sa.Column('ledger_seq', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'], ),
    sa.ForeignKeyConstraint(['system_id'], ['access_systems.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('access_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('role', sa.String(length=300), nullable=False),
    sa.Column('privileged', sa.Boolean(), nullable=False),
    sa.Column('last_login', sa.String(length=40), nullable=True),
    sa.Column('suspended', sa.Boolean(), nullable=False),
    sa.Column('granted_by', sa.String(length=200), nullable=True),
    sa.Column('manager_email', sa.String(length=200), nullable=True),
    sa.Column('person_email', sa.String(length=200), nullable=True),
    sa.Column('user_id', sa.String(length=64), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['access_snapshots.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('snapshot_id', 'account_id')
    )
    with op.batch_alter_table('access_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_accounts_snapshot_id'), ['snapshot_id'], unique=False)

    op.create_table('access_review_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('system', sa.String(length=64), nullable=False),
    sa.Column('reviewer', sa.String(length=64), nullable=False),
    sa.Column('assigned_because', sa.String(length=32), nullable=False),
    sa.Column('privileged', sa.Boolean(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('decision', sa.String(length=8), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ledger_seq', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['access_accounts.id'], ),
    sa.ForeignKeyConstraint(['review_id'], ['access_reviews.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('review_id', 'account_id')
    )
    with op.batch_alter_table('access_review_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_review_items_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_review_items_reviewer'), ['reviewer'], unique=False)

    op.create_table('access_removals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('system', sa.String(length=64), nullable=False),
    sa.Column('account', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_by', sa.String(length=64), nullable=True),
    sa.Column('done_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('verified_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exception_by', sa.String(length=64), nullable=True),
    sa.Column('exception_reason', sa.Text(), nullable=True),
    sa.Column('ledger_seq', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['access_review_items.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['access_reviews.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_id')
    )
    with op.batch_alter_table('access_removals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_removals_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('access_removals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_removals_status'))

    op.drop_table('access_removals')
    with op.batch_alter_table('access_review_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_review_items_reviewer'))
        batch_op.drop_index(batch_op.f('ix_access_review_items_review_id'))

    op.drop_table('access_review_items')
    with op.batch_alter_table('access_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_accounts_snapshot_id'))

    op.drop_table('access_accounts')
    op.drop_table('access_snapshots')
    with op.batch_alter_table('directory_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_people_user_id'))

    op.drop_table('directory_people')
    op.drop_table('access_systems')
    with op.batch_alter_table('access_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_reviews_status'))

    op.drop_table('access_reviews')
    op.drop_table('access_account_mappings')
