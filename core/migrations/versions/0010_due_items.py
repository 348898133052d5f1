"""due_items: the one reminder engine's table (who owes what by when)

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-04 15:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.models import UTCDateTime

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'due_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('domain', sa.String(length=40), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('assignee', sa.String(length=64), nullable=False),
        sa.Column('due_at', UTCDateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('next_remind_at', UTCDateTime(), nullable=True),
        sa.Column('reminders_sent', sa.Integer(), nullable=False),
        sa.Column('snoozed_until', UTCDateTime(), nullable=True),
        sa.Column('escalate_to', sa.String(length=64), nullable=True),
        sa.Column('escalate_after_days', sa.Integer(), nullable=True),
        sa.Column('escalated_at', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('closed_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index('ix_due_items_domain_ref', 'due_items', ['domain', 'ref_id'])
    op.create_index('ix_due_items_assignee', 'due_items', ['assignee'])
    op.create_index('ix_due_items_due_at', 'due_items', ['due_at'])
    op.create_index('ix_due_items_status', 'due_items', ['status'])
    op.create_index('ix_due_items_next_remind_at', 'due_items', ['next_remind_at'])


def downgrade() -> None:
    op.drop_table('due_items')
