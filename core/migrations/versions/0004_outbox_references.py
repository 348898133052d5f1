"""outbox references: what a queued message is about, as columns

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rows queued before this revision carry their reference only inside the key.
_REF_TYPES = {
    'campaign': 'campaign',
    'nudge': 'evidence_request',
    'escalation': 'evidence_request',
    'witness': 'ledger',
}


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('ref_type', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('ref_id', sa.Integer(), nullable=True))
    conn = op.get_bind()
    outbox = sa.table(
        'outbox', sa.column('id', sa.Integer), sa.column('key', sa.String),
        sa.column('ref_type', sa.String), sa.column('ref_id', sa.Integer),
    )
    for row_id, key in conn.execute(sa.select(outbox.c.id, outbox.c.key)).all():
        parts = key.split(':')
        ref_type = _REF_TYPES.get(parts[0])
        if ref_type and len(parts) > 1 and parts[1].isdigit():
            conn.execute(
                outbox.update().where(outbox.c.id == row_id)
                .values(ref_type=ref_type, ref_id=int(parts[1]))
            )


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('ref_id')
        batch.drop_column('ref_type')
