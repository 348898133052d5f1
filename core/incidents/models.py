"""Incident records: the report and its triage, the thread timeline, the review, corrective actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, utcnow

STATUSES = ("reported", "triaged", "contained", "resolved", "closed")
SEVERITIES = ("low", "medium", "high", "critical")
KINDS = ("event", "incident")


class Incident(Base):
    """One reported event or incident; its ID for people is INC-<id>."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    reporter: Mapped[str] = mapped_column(String(64))
    surface: Mapped[str] = mapped_column(String(32), default="slack")
    description: Mapped[str] = mapped_column(Text)
    noticed_at: Mapped[datetime]
    systems: Mapped[str] = mapped_column(Text, default="")  # as the reporter wrote them
    personal_data_suspected: Mapped[bool] = mapped_column(default=False)
    # Triage (security team).
    kind: Mapped[str | None] = mapped_column(String(16))  # event | incident (A.5.25)
    severity: Mapped[str | None] = mapped_column(String(16))
    handler: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="reported", index=True)
    affected_systems: Mapped[str] = mapped_column(Text, default="")
    personal_data_breach: Mapped[bool | None]
    # The notification clock of a personal-data breach.
    aware_at: Mapped[datetime | None]
    notify_due_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
    notified_whom: Mapped[str | None] = mapped_column(Text)
    # Where the security team works on it: the post in SECURITY_CHANNEL and its thread.
    channel: Mapped[str | None] = mapped_column(String(64))
    thread_ts: Mapped[str | None] = mapped_column(String(32), index=True)
    triaged_at: Mapped[datetime | None]
    contained_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    review_due_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(Integer)  # the report's ledger record

    @property
    def ref(self) -> str:
        """The ID people use: INC-12."""
        return f"INC-{self.id}"


class TimelineEntry(Base):
    """One message of the incident's thread (or a note), kept as it was posted."""

    __tablename__ = "incident_timeline"
    __table_args__ = (UniqueConstraint("incident_id", "ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    ts: Mapped[str] = mapped_column(String(32))  # Slack's message ts: one entry per message
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")
    files: Mapped[list[Any]] = mapped_column(
        default=list
    )  # [{"name", "sha256"} or {"name", "refused"}]
    late: Mapped[bool] = mapped_column(default=False)  # posted after the incident was closed
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(Integer)


class IncidentReview(Base):
    """The post-incident review: root cause and lessons learned (clause 10.2, A.5.27)."""

    __tablename__ = "incident_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    root_cause: Mapped[str] = mapped_column(Text)
    lessons: Mapped[str] = mapped_column(Text)
    reviewed_by: Mapped[str] = mapped_column(String(64))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(Integer)


class CorrectiveAction(Base):
    """Something someone must do by a date because of an incident."""

    __tablename__ = "incident_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(64))
    ledger_seq: Mapped[int | None] = mapped_column(Integer)
