"""questionnaire library: approved answers with their history, and questionnaires under review in Slack

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('library_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('approved_by', sa.String(length=200), nullable=False),
    sa.Column('approved_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('questionnaire_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=True),
    sa.Column('thread_ts', sa.String(length=32), nullable=True),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('library_entry_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('changed_by', sa.String(length=200), nullable=False),
    sa.Column('changed_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('via', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['library_entries.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('library_entry_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_entry_versions_entry_id'), ['entry_id'], unique=False)

    op.create_table('questionnaire_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('library_entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['library_entry_id'], ['library_entries.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['questionnaire_runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('questionnaire_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_items_run_id'), ['run_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('questionnaire_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_items_run_id'))

    op.drop_table('questionnaire_items')
    with op.batch_alter_table('library_entry_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_entry_versions_entry_id'))

    op.drop_table('library_entry_versions')
    op.drop_table('questionnaire_runs')
    op.drop_table('library_entries')
