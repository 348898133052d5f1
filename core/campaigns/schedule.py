"""A campaign's scheduled work, claimed on its row: reminders, rolling audiences, overdue reports."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.campaigns.delivery import add_recipients, queue_report, remind
from core.campaigns.service import active_campaigns, overdue_text
from core.db import affected
from core.models import Campaign

AUDIENCE_SYNC = timedelta(hours=1)


def audiences_to_sync(now: datetime, *, db_session: Session) -> list[Campaign]:
    """Rolling campaigns whose audience is due to be looked up again (read only)."""
    return [c for c in active_campaigns(db_session=db_session) if _sync_due(c, now)]


def _sync_due(campaign: Campaign, now: datetime) -> bool:
    sync = campaign.next_audience_sync_at
    return campaign.rolling and sync is not None and sync <= now


def run_due(
    now: datetime,
    *,
    db_session: Session,
    reminder_days: int,
    security_channel: str | None,
    audiences: dict[int, list[str]],
) -> None:
    """Queue what is due at `now`; `audiences` holds the people Slack listed per rolling campaign."""
    for campaign in active_campaigns(db_session=db_session):
        _remind_if_due(campaign, now, reminder_days, db_session=db_session)
        people = audiences.get(campaign.id)
        if people is not None:
            _sync_if_due(campaign, now, people, db_session=db_session)
        if security_channel:
            _report_overdue(campaign, now, security_channel, db_session=db_session)


def _remind_if_due(
    campaign: Campaign, now: datetime, reminder_days: int, *, db_session: Session
) -> None:
    """One reminder round per scheduled time before the due date; the next round is set first."""
    old = campaign.next_reminder_at
    if old is None or not old <= now < campaign.due_at:
        return
    nxt = min(campaign.due_at, old + timedelta(days=reminder_days))
    nxt = nxt if nxt > now else campaign.due_at
    if _claim(db_session, campaign.id, "next_reminder_at", old, nxt):
        remind(campaign, db_session=db_session, round_key=old.strftime("%Y%m%d%H%M"))


def _sync_if_due(
    campaign: Campaign, now: datetime, people: list[str], *, db_session: Session
) -> None:
    """Invite people who joined a rolling campaign's audience since the last look."""
    sync = campaign.next_audience_sync_at
    if not _sync_due(campaign, now):
        return
    if _claim(db_session, campaign.id, "next_audience_sync_at", sync, now + AUDIENCE_SYNC):
        add_recipients(campaign, people, db_session=db_session)


def _report_overdue(
    campaign: Campaign, now: datetime, channel: str, *, db_session: Session
) -> None:
    """Once the due date has passed, tell the security channel who has not acknowledged."""
    if now < campaign.due_at or campaign.overdue_reported_at is not None:
        return
    if _claim(db_session, campaign.id, "overdue_reported_at", None, now):
        text = overdue_text(campaign, ":hourglass: Due date passed for", db_session=db_session)
        queue_report(campaign, "overdue", text, channel=channel, db_session=db_session)


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
