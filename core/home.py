"""What a person has on their plate: open evidence requests, pending acknowledgements, team overview."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.access_reviews.reminders import DECISION as ACCESS_DECISION
from core.campaigns.progress import CampaignProgress, PendingAck, pending_for, progress
from core.evidence.reminders import DOMAIN as EVIDENCE_REQUEST
from core.models import EvidenceRequest, OrgControl, utcnow
from core.reminders import registry
from core.reminders import service as reminders

__all__ = ["CampaignProgress", "HomeModel", "OpenRequest", "Owed", "PendingAck", "home_for"]

# Due items shown in a section of their own (with their own buttons), not again under "What you owe".
SHOWN_ELSEWHERE = {EVIDENCE_REQUEST, ACCESS_DECISION}


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
class Owed:
    """An open due item of the reminder engine assigned to the person, as its domain describes it."""

    item_id: int
    domain: str
    title: str
    due_at: datetime
    overdue: bool


@dataclass
class HomeModel:
    """Everything App Home and `mine` show."""

    user_id: str
    is_security: bool
    requests: list[OpenRequest] = field(default_factory=list)
    acks: list[PendingAck] = field(default_factory=list)
    campaigns: list[CampaignProgress] = field(default_factory=list)
    overdue_evidence: int = 0
    owed: list[Owed] = field(default_factory=list)


def home_for(
    user_id: str, *, is_security: bool, db_session: Session, email: str | None = None
) -> HomeModel:
    """Build the home model for one person."""
    now = utcnow()
    owners = [user_id] + ([email] if email else [])
    model = HomeModel(user_id=user_id, is_security=is_security)
    model.requests = _open_requests(owners, now, db_session=db_session)
    model.acks = pending_for(user_id, db_session=db_session)
    model.owed = _owed(user_id, now, db_session=db_session)
    if is_security:
        model.campaigns = progress(db_session=db_session)
        model.overdue_evidence = _overdue_evidence(now, db_session=db_session)
    return model


def _open_requests(owners: list[str], now: datetime, *, db_session: Session) -> list[OpenRequest]:
    """Evidence requests of controls the person owns (by Slack ID or email), soonest due first."""
    rows = db_session.execute(
        select(EvidenceRequest, OrgControl)
        .join(OrgControl, OrgControl.id == EvidenceRequest.control_id)
        .where(
            or_(OrgControl.owner_user_id.in_(owners), OrgControl.owner.in_(owners)),
            EvidenceRequest.status.in_(["open", "rejected", "submitted"]),
        )
        .order_by(EvidenceRequest.due_at)
    )
    return [
        OpenRequest(
            req.id,
            control.ref,
            control.title,
            req.period,
            req.due_at,
            req.status,
            overdue=req.status != "submitted" and req.due_at < now,
        )
        for req, control in rows
    ]


def _overdue_evidence(now: datetime, *, db_session: Session) -> int:
    """How many evidence requests, anyone's, are past due and not handed in."""
    return int(
        db_session.scalar(
            select(func.count(EvidenceRequest.id)).where(
                EvidenceRequest.status.in_(["open", "rejected"]), EvidenceRequest.due_at < now
            )
        )
        or 0
    )


def _owed(user_id: str, now: datetime, *, db_session: Session) -> list[Owed]:
    """The person's open due items (soonest first), worded by each domain's describer."""
    owed = []
    for item in reminders.open_items(db_session=db_session, assignee=user_id):
        if item.domain in SHOWN_ELSEWHERE or not registry.known(item.domain):
            continue
        content = registry.describe(item, db_session=db_session)
        if content is None:  # already finished; the next tick closes the item
            continue
        title = str(content.get("title") or item.domain)
        owed.append(Owed(item.id, item.domain, title, item.due_at, item.due_at < now))
    return owed
