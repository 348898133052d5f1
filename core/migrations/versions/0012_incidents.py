"""incidents: reports, thread timeline, post-incident reviews, corrective actions

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-04 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.models import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), primary_key=True),
        _when("reported_at", False),
        sa.Column("reporter", sa.String(64), nullable=False),
        sa.Column("surface", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _when("noticed_at", False),
        sa.Column("systems", sa.Text(), nullable=False),
        sa.Column("personal_data_suspected", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("severity", sa.String(16), nullable=True),
        sa.Column("handler", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("affected_systems", sa.Text(), nullable=False),
        sa.Column("personal_data_breach", sa.Boolean(), nullable=True),
        _when("aware_at"),
        _when("notify_due_at"),
        _when("notified_at"),
        sa.Column("notified_whom", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(64), nullable=True),
        sa.Column("thread_ts", sa.String(32), nullable=True),
        _when("triaged_at"),
        _when("contained_at"),
        _when("resolved_at"),
        _when("review_due_at"),
        _when("closed_at"),
        _when("updated_at", False),
        sa.Column("ledger_seq", sa.Integer(), nullable=True),
    )
    op.create_index("ix_incidents_reported_at", "incidents", ["reported_at"])
    op.create_index("ix_incidents_status", "incidents", ["status"])
    op.create_index("ix_incidents_thread_ts", "incidents", ["thread_ts"])
    op.create_table(
        "incident_timeline",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        _when("at", False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        _when("recorded_at", False),
        sa.Column("ledger_seq", sa.Integer(), nullable=True),
        sa.UniqueConstraint("incident_id", "ts"),
    )
    op.create_index("ix_incident_timeline_incident_id", "incident_timeline", ["incident_id"])
    op.create_table(
        "incident_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("root_cause", sa.Text(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.String(64), nullable=False),
        _when("reviewed_at", False),
        sa.Column("ledger_seq", sa.Integer(), nullable=True),
    )
    op.create_table(
        "incident_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer(),
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        _when("due_at", False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        _when("created_at", False),
        _when("done_at"),
        sa.Column("done_by", sa.String(64), nullable=True),
        sa.Column("ledger_seq", sa.Integer(), nullable=True),
    )
    op.create_index("ix_incident_actions_incident_id", "incident_actions", ["incident_id"])


def downgrade() -> None:
    op.drop_table("incident_actions")
    op.drop_table("incident_reviews")
    op.drop_index("ix_incident_timeline_incident_id", "incident_timeline")
    op.drop_table("incident_timeline")
    op.drop_table("incidents")
