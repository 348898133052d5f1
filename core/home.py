"""What a person has on their plate: open evidence requests, pending acknowledgements, team overview."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.models import Campaign, CampaignRecipient, EvidenceRequest, OrgControl, utcnow


@dataclass(frozen=True)
class OpenRequest:
    """An evidence request the person owns."""

    request_id: int
    control_ref: str
    control_title: str
    period: str
    due_at: datetime
    status: str
    overdue: bool


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


@dataclass
class HomeModel:
    """Everything App Home and `mine` show."""

    user_id: str
    is_security: bool
    requests: list[OpenRequest] = field(default_factory=list)
    acks: list[PendingAck] = field(default_factory=list)
    campaigns: list[CampaignProgress] = field(default_factory=list)
    overdue_evidence: int = 0


def home_for(
    user_id: str, *, is_security: bool, db_session: Session, email: str | None = None
) -> HomeModel:
    """Build the home model for one person."""
    now = utcnow()
    owners = [user_id] + ([email] if email else [])
    rows = db_session.execute(
        select(EvidenceRequest, OrgControl)
        .join(OrgControl, OrgControl.id == EvidenceRequest.control_id)
        .where(
            or_(OrgControl.owner_user_id.in_(owners), OrgControl.owner.in_(owners)),
            EvidenceRequest.status.in_(["open", "rejected", "submitted"]),
        )
        .order_by(EvidenceRequest.due_at)
    )
    model = HomeModel(user_id=user_id, is_security=is_security)
    for req, control in rows:
        model.requests.append(
            OpenRequest(
                req.id,
                control.ref,
                control.title,
                req.period,
                req.due_at,
                req.status,
                overdue=req.status != "submitted" and req.due_at < now,
            )
        )
    acks = db_session.execute(
        select(Campaign)
        .join(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
        .where(
            CampaignRecipient.user_id == user_id,
            CampaignRecipient.acknowledged_at.is_(None),
            Campaign.status == "active",
        )
        .order_by(Campaign.due_at)
    ).scalars()
    model.acks = [PendingAck(c.id, c.title, c.due_at, c.link, bool(c.quiz)) for c in acks]
    if is_security:
        progress = db_session.execute(
            select(
                Campaign,
                func.count(CampaignRecipient.id),
                func.count(CampaignRecipient.acknowledged_at),
            )
            .outerjoin(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
            .where(Campaign.status == "active")
            .group_by(Campaign.id)
            .order_by(Campaign.due_at)
        )
        model.campaigns = [
            CampaignProgress(c.id, c.title, int(acked), int(total), c.due_at)
            for c, total, acked in progress
        ]
        model.overdue_evidence = int(
            db_session.scalar(
                select(func.count(EvidenceRequest.id)).where(
                    EvidenceRequest.status.in_(["open", "rejected"]), EvidenceRequest.due_at < now
                )
            )
            or 0
        )
    return model
