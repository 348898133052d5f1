"""processed_requests state and body: acknowledged Slack work that was not finished is resumed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 15:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Keys recorded before this revision were handled to the end: they are "done".
    with op.batch_alter_table('processed_requests') as batch:
        batch.add_column(
            sa.Column('state', sa.String(length=16), nullable=False, server_default='done')
        )
        batch.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch.create_index('ix_processed_requests_state', ['state'])


def downgrade() -> None:
    with op.batch_alter_table('processed_requests') as batch:
        batch.drop_index('ix_processed_requests_state')
        batch.drop_column('body')
        batch.drop_column('state')
