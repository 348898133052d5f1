"""question ledger_seq: each answer's record in the hash-chained ledger

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: questions asked before answers were ledgered have no record to point at.
    with op.batch_alter_table('questions') as batch:
        batch.add_column(sa.Column('ledger_seq', sa.Integer(), nullable=True))
        batch.create_unique_constraint('uq_questions_ledger_seq', ['ledger_seq'])


def downgrade() -> None:
    with op.batch_alter_table('questions') as batch:
        batch.drop_constraint('uq_questions_ledger_seq', type_='unique')
        batch.drop_column('ledger_seq')
