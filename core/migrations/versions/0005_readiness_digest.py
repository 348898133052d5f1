"""readiness digest: the weekly digest's schedule and baseline in rows

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('readiness_digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheduled_for', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('baseline', sa.JSON(), nullable=False),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('queued_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('channel', sa.String(length=64), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scheduled_for')
    )
    op.create_index(op.f('ix_readiness_digests_status'), 'readiness_digests', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_readiness_digests_status'), table_name='readiness_digests')
    op.drop_table('readiness_digests')
