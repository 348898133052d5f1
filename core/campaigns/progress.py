"""Where people stand on the active campaigns: what one person still owes, and each campaign's share done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.campaigns.service import ACTIVE
from core.models import Campaign, CampaignRecipient


@dataclass(frozen=True)
class PendingAck:
    """A campaign the person has not acknowledged yet."""

    campaign_id: int
    title: str
    due_at: datetime
    link: str | None
    has_quiz: bool = False  # acknowledged by passing the quiz, not by a button


@dataclass(frozen=True)
class CampaignProgress:
    """An active campaign's completion, for the security team."""

    campaign_id: int
    title: str
    acknowledged: int
    total: int
    due_at: datetime


def pending_for(user_id: str, *, db_session: Session) -> list[PendingAck]:
    """The active campaigns the person is in and has not acknowledged, soonest due first."""
    campaigns = db_session.execute(
        select(Campaign)
        .join(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
        .where(
            CampaignRecipient.user_id == user_id,
            CampaignRecipient.acknowledged_at.is_(None),
            Campaign.status == ACTIVE,
        )
        .order_by(Campaign.due_at)
    ).scalars()
    return [PendingAck(c.id, c.title, c.due_at, c.link, bool(c.quiz)) for c in campaigns]


def progress(*, db_session: Session) -> list[CampaignProgress]:
    """Acknowledged and total people per active campaign, soonest due first."""
    rows = db_session.execute(
        select(
            Campaign,
            func.count(CampaignRecipient.id),
            func.count(CampaignRecipient.acknowledged_at),
        )
        .outerjoin(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
        .where(Campaign.status == ACTIVE)
        .group_by(Campaign.id)
        .order_by(Campaign.due_at)
    )
    return [
        CampaignProgress(c.id, c.title, int(acked), int(total), c.due_at)
        for c, total, acked in rows
    ]
