"""The due item: one thing someone owes by a date, with its reminder state on the row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, utcnow

OPEN, DONE, CANCELLED = "open", "done", "cancelled"


class DueItem(Base):
    """Something an assignee owes by due_at; the engine reminds, snoozes and escalates it."""

    __tablename__ = "due_items"
    __table_args__ = (Index("ix_due_items_domain_ref", "domain", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # default f"{domain}:{ref_id}"
    domain: Mapped[str] = mapped_column(String(40))
    ref_id: Mapped[int] = mapped_column(Integer)
    assignee: Mapped[str] = mapped_column(String(64), index=True)  # Slack user ID
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default=OPEN, index=True)
    # None until the first tick works it out from the default NUDGE_DAYS_BEFORE.
    next_remind_at: Mapped[datetime | None] = mapped_column(index=True)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    snoozed_until: Mapped[datetime | None]
    escalate_to: Mapped[str | None] = mapped_column(String(64))  # None = SECURITY_CHANNEL
    escalate_after_days: Mapped[int | None] = mapped_column(Integer)  # None = ESCALATE_AFTER_DAYS
    escalated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
