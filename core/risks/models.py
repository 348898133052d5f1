"""The risk register's records: risks, their versions, treatment actions, reviews and acceptances."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, utcnow


class Risk(Base):
    """One risk as it stands now; every earlier state is a RiskVersion."""

    __tablename__ = "risks"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200))  # as written in the file: email or user ID
    owner_user_id: Mapped[str] = mapped_column(String(64), index=True)
    assets: Mapped[list[Any]] = mapped_column(default=list)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    treatment: Mapped[str] = mapped_column(String(20))  # mitigate | accept | transfer | avoid
    controls: Mapped[list[Any]] = mapped_column(default=list)  # register refs
    requirements: Mapped[list[Any]] = mapped_column(default=list)  # catalogue IDs (Annex A, CC…)
    plan: Mapped[list[Any]] = mapped_column(default=list)  # [{"due": "YYYY-MM-DD", "text": ...}]
    residual_likelihood: Mapped[int] = mapped_column(Integer)
    residual_impact: Mapped[int] = mapped_column(Integer)
    review_cadence: Mapped[str] = mapped_column(String(20))
    next_review_at: Mapped[datetime] = mapped_column(index=True)
    last_reviewed_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RiskVersion(Base):
    """A risk as it was at one version, with who changed it and how (import, review update)."""

    __tablename__ = "risk_versions"
    __table_args__ = (UniqueConstraint("risk_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column()
    changed_by: Mapped[str] = mapped_column(String(64))
    how: Mapped[str] = mapped_column(String(20))  # import | update
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(Integer)


class RiskAction(Base):
    """One step of a risk's treatment plan, owed by the risk owner by its due date."""

    __tablename__ = "risk_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | done | dropped
    closed_at: Mapped[datetime | None] = mapped_column()


class RiskReview(Base):
    """A review the owner made in Slack: still accurate, updated, or the residual risk accepted."""

    __tablename__ = "risk_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # the version the reviewer looked at
    outcome: Mapped[str] = mapped_column(String(20))  # accurate | updated | accepted | approved
    user_id: Mapped[str] = mapped_column(String(64))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(Integer)


class RiskAcceptance(Base):
    """The owner's sign-off of a version's residual risk, and the security team's approval if needed."""

    __tablename__ = "risk_acceptances"
    __table_args__ = (UniqueConstraint("risk_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    residual_score: Mapped[int] = mapped_column(Integer)
    accepted_by: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
    needs_approval: Mapped[bool] = mapped_column(default=False)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column()
