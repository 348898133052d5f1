"""org_controls owner_role: the owner's job title, for answers that leave the company

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: registers imported before the column existed name no role.
    with op.batch_alter_table('org_controls') as batch:
        batch.add_column(sa.Column('owner_role', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('org_controls') as batch:
        batch.drop_column('owner_role')
