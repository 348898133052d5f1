"""A campaign's scheduled work, claimed on its row: reminders, rolling audiences, overdue reports."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.campaigns.service import REPORT, add_recipients, overdue_text, remind
from core.db import affected
from core.models import Campaign
from core.outbox import CAMPAIGN, Ref, enqueue

AUDIENCE_SYNC = timedelta(hours=1)


def audiences_to_sync(now: datetime, *, db_session: Session) -> list[Campaign]:
    """Rolling campaigns whose audience is due to be looked up again (read only)."""
    return [
        c
        for c in db_session.scalars(select(Campaign).where(Campaign.status == "active"))
        if c.rolling and c.next_audience_sync_at is not None and c.next_audience_sync_at <= now
    ]


def run_due(
    now: datetime,
    *,
    db_session: Session,
    reminder_days: int,
    security_channel: str | None,
    audiences: dict[int, list[str]],
) -> None:
    """Queue what is due at `now`; `audiences` holds the people Slack listed per rolling campaign."""
    active = list(db_session.scalars(select(Campaign).where(Campaign.status == "active")))
    for campaign in active:
        old = campaign.next_reminder_at
        if old is not None and old <= now < campaign.due_at:
            nxt = min(campaign.due_at, old + timedelta(days=reminder_days))
            nxt = nxt if nxt > now else campaign.due_at
            if _claim(db_session, campaign.id, "next_reminder_at", old, nxt):
                remind(campaign, db_session=db_session, round_key=old.strftime("%Y%m%d%H%M"))
        sync = campaign.next_audience_sync_at
        people = audiences.get(campaign.id)
        if campaign.rolling and people is not None and sync is not None and sync <= now:
            if _claim(db_session, campaign.id, "next_audience_sync_at", sync, now + AUDIENCE_SYNC):
                add_recipients(campaign, people, db_session=db_session)
        if now >= campaign.due_at and campaign.overdue_reported_at is None and security_channel:
            if _claim(db_session, campaign.id, "overdue_reported_at", None, now):
                text = overdue_text(
                    campaign, ":hourglass: Due date passed for", db_session=db_session
                )
                enqueue(
                    f"campaign:{campaign.id}:overdue",
                    REPORT,
                    security_channel,
                    {"text": text},
                    ref=Ref(CAMPAIGN, campaign.id),
                    db_session=db_session,
                )


def _claim(
    db_session: Session, campaign_id: int, column: str, old: datetime | None, new: datetime
) -> bool:
    """Move a schedule column from old to new only if nobody else did: a double run is harmless."""
    col = getattr(Campaign, column)
    cond = col.is_(None) if old is None else col == old
    done = affected(
        db_session, update(Campaign).where(Campaign.id == campaign_id, cond).values({column: new})
    )
    db_session.flush()
    db_session.expire_all()
    return done == 1
