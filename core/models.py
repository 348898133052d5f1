"""Typed SQLAlchemy 2 models: the records every surface and job shares."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Timezone-aware now in UTC (time-machine can freeze it)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns aware UTC values (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for all records."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Question(Base):
    """A question asked through any surface, with what the bot answered."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    surface: Mapped[str] = mapped_column(String(32))  # slack_mention, slack_dm, slash, console, cli
    channel: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    top_ids: Mapped[list[Any]] = mapped_column(default=list)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    answered: Mapped[bool] = mapped_column(default=True)  # False = knowledge gap
    # The ledger record of this answer (None for questions stored before answers were ledgered).
    ledger_seq: Mapped[int | None] = mapped_column(Integer, unique=True)


class Feedback(Base):
    """A thumbs up or down on one answer, with an optional note of what was missing."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    helpful: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedRequest(Base):
    """Idempotency key for Slack events and interactions, so each is handled once across processes."""

    __tablename__ = "processed_requests"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    # "pending" while its listener runs (body kept to finish it after a stop), then "done".
    state: Mapped[str] = mapped_column(
        String(16), default="done", server_default="done", index=True
    )
    body: Mapped[str | None] = mapped_column(Text)


class OrgControl(Base):
    """One of the organisation's own controls from the register."""

    __tablename__ = "org_controls"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    requirements: Mapped[list[Any]] = mapped_column(default=list)  # catalogue IDs it implements
    owner: Mapped[str] = mapped_column(String(200))  # as written in the register: email or user ID
    owner_user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    manager: Mapped[str | None] = mapped_column(String(200))
    # The owner's job title, for answers that leave the company (customers' questionnaires).
    owner_role: Mapped[str | None] = mapped_column(String(200))
    manager_user_id: Mapped[str | None] = mapped_column(String(64))
    cadence: Mapped[str] = mapped_column(String(100))
    expected_evidence: Mapped[str] = mapped_column(Text, default="")
    applicable: Mapped[bool] = mapped_column(default=True)
    justification: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrgControlVersion(Base):
    """Every version a register row has had (re-imports keep history)."""

    __tablename__ = "org_control_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    control_id: Mapped[int] = mapped_column(ForeignKey("org_controls.id", ondelete="CASCADE"))
    version: Mapped[int]
    snapshot: Mapped[dict[str, Any]]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(200))


class EvidenceRequest(Base):
    """Evidence due for one control in one period; nudge state lives on the row."""

    __tablename__ = "evidence_requests"
    __table_args__ = (UniqueConstraint("control_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    control_id: Mapped[int] = mapped_column(ForeignKey("org_controls.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(32))  # e.g. 2026-Q4, 2026-11, 2026-H2, 2026
    period_start: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None]
    next_nudge_at: Mapped[datetime | None] = mapped_column(index=True)
    nudges_sent: Mapped[int] = mapped_column(Integer, default=0)
    snoozed_until: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Blob(Base):
    """Evidence file content, addressed by its SHA-256 (shared by every replica through the DB)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(200), default="application/octet-stream")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


class Submission(Base):
    """Evidence handed in for one request; recorded_at never changes, effective_date is the owner's."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("request_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("evidence_requests.id", ondelete="CASCADE"))
    submitted_by: Mapped[str] = mapped_column(String(200))
    on_behalf: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    file_name: Mapped[str | None] = mapped_column(String(300))
    effective_date: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    dedupe_key: Mapped[str] = mapped_column(String(64))
    surface: Mapped[str] = mapped_column(String(32), default="slack")


class LedgerRecord(Base):
    """One append-only, hash-chained evidence event."""

    __tablename__ = "ledger"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Campaign(Base):
    """A training or policy acknowledgement campaign."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    audience: Mapped[str] = mapped_column(String(2000))
    due_at: Mapped[datetime]
    link: Mapped[str | None] = mapped_column(Text)
    document_name: Mapped[str | None] = mapped_column(String(300))
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    quiz: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rolling: Mapped[bool] = mapped_column(default=False)
    include_guests: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    next_reminder_at: Mapped[datetime | None]
    next_audience_sync_at: Mapped[datetime | None]
    overdue_reported_at: Mapped[datetime | None]


class CampaignRecipient(Base):
    """One person in a campaign, and where they are with it."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None]
    quiz_score: Mapped[float | None] = mapped_column(Float)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    failed_reason: Mapped[str | None] = mapped_column(String(200))


class Outbox(Base):
    """One message to send, claimed before it is sent so that nothing goes out twice."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # What the message is about (e.g. "campaign" 3, "ledger" 41): read by after-send hooks.
    ref_type: Mapped[str | None] = mapped_column(String(32))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(64))  # user ID (DM) or channel ID
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Person(Base):
    """What we know of a Slack user: time zone for working hours, manager for escalation."""

    __tablename__ = "people"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    tz: Mapped[str | None] = mapped_column(String(64))
    manager_user_id: Mapped[str | None] = mapped_column(String(64))
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerWitness(Base):
    """A ledger head posted to SECURITY_CHANNEL: a copy outside the database to check against."""

    __tablename__ = "ledger_witness"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(32))


class ReadinessDigest(Base):
    """One weekly readiness digest: when it is due, what it compares with, whether it went out."""

    __tablename__ = "readiness_digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheduled_for: Mapped[datetime] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    # Status per requirement when this digest was scheduled: it reports what changed since.
    baseline: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    queued_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(32))


class LibraryEntry(Base):
    """One approved questionnaire answer: the question, the answer, its sources and who approved it."""

    __tablename__ = "library_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The question folded (case, spaces, end punctuation): one entry per question, matched exactly.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    # [{"id": "A.8.5", "kind": "catalogue"}]
    sources: Mapped[list[Any]] = mapped_column(default=list)
    approved_by: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class LibraryEntryVersion(Base):
    """Every version a library answer has had, with who changed it and how."""

    __tablename__ = "library_entry_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("library_entries.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    via: Mapped[str] = mapped_column(String(32))  # import, slack


class QuestionnaireRun(Base):
    """A questionnaire answered for someone in Slack: where its review thread lives."""

    __tablename__ = "questionnaire_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str | None] = mapped_column(String(64))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionnaireItem(Base):
    """One drafted answer awaiting review (suggested or needs_review); approval moves it to the library."""

    __tablename__ = "questionnaire_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_runs.id", ondelete="CASCADE"), index=True
    )
    row: Mapped[int]
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None]
    library_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("library_entries.id", ondelete="SET NULL")
    )
