"""Campaign messages: what is queued to whom, and where each person's invitation landed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Campaign, CampaignRecipient, Outbox
from core.outbox import CAMPAIGN, Ref, enqueue

INVITE = "campaign_invite"
REMINDER = "campaign_reminder"
REPORT = "campaign_report"


def invite_content(campaign: Campaign, *, reminder: bool) -> dict[str, Any]:
    """What an invitation (or reminder) says, as plain data the sender renders."""
    return {
        "campaign_id": campaign.id,
        "title": campaign.title,
        "due": campaign.due_at.isoformat(),
        "link": campaign.link,
        "document_name": campaign.document_name,
        "document_sha256": campaign.document_sha256,
        "has_quiz": bool(campaign.quiz),
        "reminder": reminder,
    }


def _queue(
    campaign: Campaign,
    key: str,
    kind: str,
    to: str,
    content: dict[str, Any],
    *,
    db_session: Session,
) -> bool:
    """Queue one message about the campaign, once per key."""
    return enqueue(
        f"campaign:{campaign.id}:{key}",
        kind,
        to,
        content,
        ref=Ref(CAMPAIGN, campaign.id),
        db_session=db_session,
    )


def add_recipients(campaign: Campaign, user_ids: list[str], *, db_session: Session) -> int:
    """Add people not yet in the campaign and queue their invitation; returns how many were new."""
    known = set(
        db_session.scalars(
            select(CampaignRecipient.user_id).where(CampaignRecipient.campaign_id == campaign.id)
        )
    )
    added = 0
    for user_id in user_ids:
        if user_id in known:
            continue
        db_session.add(CampaignRecipient(campaign_id=campaign.id, user_id=user_id))
        content = invite_content(campaign, reminder=False)
        _queue(campaign, f"{user_id}:invite", INVITE, user_id, content, db_session=db_session)
        added += 1
    db_session.flush()
    return added


def remind(campaign: Campaign, *, db_session: Session, round_key: str) -> int:
    """Queue a reminder to everyone who has not acknowledged (once per round_key)."""
    pending = db_session.scalars(
        select(CampaignRecipient).where(
            CampaignRecipient.campaign_id == campaign.id,
            CampaignRecipient.acknowledged_at.is_(None),
            CampaignRecipient.failed_reason.is_(None),
        )
    )
    content = invite_content(campaign, reminder=True)
    return sum(
        _queue(
            campaign,
            f"{r.user_id}:reminder:{round_key}",
            REMINDER,
            r.user_id,
            content,
            db_session=db_session,
        )
        for r in pending
    )


def queue_report(
    campaign: Campaign, key: str, text: str, *, channel: str, db_session: Session
) -> bool:
    """Queue a report on the campaign to the security channel (once per key: final, overdue)."""
    return _queue(campaign, key, REPORT, channel, {"text": text}, db_session=db_session)


def recipient_row(
    campaign_id: int, user_id: str, *, db_session: Session
) -> CampaignRecipient | None:
    """The person's row of the campaign, if they are in it."""
    return db_session.scalars(
        select(CampaignRecipient).where(
            CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.user_id == user_id
        )
    ).first()


def record_delivery(db_session: Session, row: Outbox) -> None:
    """After-send hook: remember where each person's invitation landed (or why it could not)."""
    if row.ref_type != CAMPAIGN or row.ref_id is None:
        return
    recipient = recipient_row(row.ref_id, row.recipient, db_session=db_session)
    if recipient is None:
        return
    if row.status == "sent":
        recipient.channel, recipient.ts = row.channel, row.ts
    else:
        recipient.failed_reason = row.error
