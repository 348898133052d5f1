"""Acknowledgement campaigns: start, deliver, acknowledge, remind, report, close."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import ledger
from core.db import affected
from core.models import Campaign, CampaignRecipient, Outbox, utcnow
from jobs import audience as audiences
from jobs.delivery import enqueue
from jobs.messages import campaign_invite, plain
from jobs.quiz import Quiz, grade

INVITE = "campaign_invite"
REMINDER = "campaign_reminder"
REPORT = "campaign_report"


class CampaignError(ValueError):
    """A campaign request that cannot be done; the message says why."""


@dataclass
class Status:
    """Where a campaign stands."""

    id: int
    title: str
    audience: str
    status: str
    due_at: str
    recipients: int
    delivered: int
    acknowledged: int
    overdue: int
    failed: int

    def as_json(self) -> dict[str, Any]:
        """The JSON fields scripts rely on."""
        return self.__dict__.copy()


def _invite_payload(campaign: Campaign, *, reminder: bool) -> dict[str, Any]:
    return campaign_invite(
        campaign_id=campaign.id,
        title=campaign.title,
        due=campaign.due_at,
        link=campaign.link,
        document_name=campaign.document_name,
        document_sha256=campaign.document_sha256,
        has_quiz=bool(campaign.quiz),
        reminder=reminder,
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
        enqueue(
            f"campaign:{campaign.id}:{user_id}:invite",
            INVITE,
            user_id,
            _invite_payload(campaign, reminder=False),
            db_session=db_session,
        )
        added += 1
    db_session.flush()
    return added


def start(
    client: WebClient,
    *,
    db_session: Session,
    title: str,
    audience_spec: str,
    due: datetime,
    created_by: str,
    reminder_days: int,
    link: str | None = None,
    document: tuple[str, bytes] | None = None,
    quiz: dict[str, Any] | None = None,
    rolling: bool = False,
    include_guests: bool = False,
    now: datetime | None = None,
) -> Campaign:
    """Create a campaign, resolve its audience and queue one invitation per person."""
    now = now or utcnow()
    if not title.strip():
        raise CampaignError("A campaign needs a title.")
    if due <= now:
        raise CampaignError(f"The due date {due:%Y-%m-%d} is not in the future.")
    parsed = audiences.parse(audience_spec)
    people = audiences.resolve(client, parsed, include_guests=include_guests)
    if not people:
        raise CampaignError(
            f"Nobody is in {parsed} (bots, deleted accounts and guests are left out)."
        )
    campaign = Campaign(
        title=title.strip(),
        audience=str(parsed),
        due_at=due,
        link=link,
        rolling=rolling,
        include_guests=include_guests,
        created_by=created_by,
        quiz=quiz,
        document_name=document[0] if document else None,
        document_sha256=hashlib.sha256(document[1]).hexdigest() if document else None,
        next_reminder_at=min(due, now + timedelta(days=reminder_days)),
        next_audience_sync_at=now + timedelta(hours=1) if rolling else None,
    )
    db_session.add(campaign)
    db_session.flush()
    add_recipients(campaign, people, db_session=db_session)
    ledger.append(
        "campaign_started",
        {
            "campaign": campaign.id,
            "title": campaign.title,
            "audience": campaign.audience,
            "due": due.isoformat(),
            "document_sha256": campaign.document_sha256,
            "by": created_by,
            "recipients": len(people),
        },
        db_session=db_session,
    )
    return campaign


def record_delivery(db_session: Session, row: Outbox) -> None:
    """After-send hook: remember where each person's invitation landed (or why it could not)."""
    campaign_id = int(row.key.split(":")[1])
    recipient = db_session.scalars(
        select(CampaignRecipient).where(
            CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.user_id == row.recipient
        )
    ).first()
    if recipient is None:
        return
    if row.status == "sent":
        recipient.channel, recipient.ts = row.channel, row.ts
    else:
        recipient.failed_reason = row.error


def acknowledge(
    campaign_id: int,
    user_id: str,
    *,
    db_session: Session,
    score: float | None = None,
    channel: str | None = None,
    ts: str | None = None,
) -> tuple[Campaign, bool]:
    """Record an acknowledgement once; (campaign, False) when it was already recorded."""
    campaign = db_session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError("That campaign no longer exists.")
    now = utcnow()
    claimed = affected(
        db_session,
        update(CampaignRecipient)
        .where(
            CampaignRecipient.campaign_id == campaign_id,
            CampaignRecipient.user_id == user_id,
            CampaignRecipient.acknowledged_at.is_(None),
        )
        .values(acknowledged_at=now, quiz_score=score),
    )
    if claimed != 1:
        exists = db_session.scalar(
            select(CampaignRecipient.id).where(
                CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.user_id == user_id
            )
        )
        if exists is None:
            raise CampaignError(
                "You are not in this campaign's audience; ask the security team if you should be."
            )
        return campaign, False
    recipient = db_session.scalars(
        select(CampaignRecipient).where(
            CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.user_id == user_id
        )
    ).one()
    channel = channel or recipient.channel
    ts = ts or recipient.ts
    ledger.append(
        "acknowledgement",
        {
            "campaign": campaign_id,
            "title": campaign.title,
            "user": user_id,
            "at": now.isoformat(),
            "document_sha256": campaign.document_sha256,
            "channel": channel,
            "ts": ts,
            "quiz_score": score,
        },
        db_session=db_session,
    )
    return campaign, True


def record_quiz_failure(
    campaign: Campaign, user_id: str, score: float, *, db_session: Session
) -> None:
    """A failed quiz attempt goes in the ledger too: auditors see how many tries people needed."""
    ledger.append(
        ledger.QUIZ_FAILED,
        {
            "campaign": campaign.id,
            "title": campaign.title,
            "user": user_id,
            "at": utcnow().isoformat(),
            "quiz_score": score,
            "pass_mark": (campaign.quiz or {}).get("pass_mark"),
        },
        db_session=db_session,
    )


@dataclass(frozen=True)
class QuizResult:
    """A graded quiz attempt, already recorded."""

    title: str
    score: float
    pass_mark: float
    passed: bool
    new: bool  # a pass that recorded the acknowledgement now (not an earlier one)


def submit_quiz(
    campaign_id: int,
    user_id: str,
    answers: dict[int, int],
    *,
    db_session: Session,
    channel: str | None = None,
    ts: str | None = None,
) -> QuizResult | None:
    """Grade answers (question index -> choice); a pass acknowledges, a fail goes in the ledger.

    None when the campaign is gone or has no quiz.
    """
    campaign = db_session.get(Campaign, campaign_id)
    if campaign is None or not campaign.quiz:
        return None
    quiz = Quiz.model_validate(campaign.quiz)
    score, passed = grade(quiz, answers)
    new = False
    if passed:
        campaign, new = acknowledge(
            campaign_id, user_id, db_session=db_session, score=score, channel=channel, ts=ts
        )
    else:
        record_quiz_failure(campaign, user_id, score, db_session=db_session)
    return QuizResult(campaign.title, score, quiz.pass_mark, passed, new)


def status(campaign_id: int, *, db_session: Session, now: datetime | None = None) -> Status:
    """Counts for one campaign."""
    campaign = db_session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError(f"There is no campaign {campaign_id}.")
    now = now or utcnow()
    rows = list(
        db_session.scalars(
            select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign_id)
        )
    )
    acked = sum(1 for r in rows if r.acknowledged_at)
    return Status(
        id=campaign.id,
        title=campaign.title,
        audience=campaign.audience,
        status=campaign.status,
        due_at=campaign.due_at.isoformat(),
        recipients=len(rows),
        delivered=sum(1 for r in rows if r.ts),
        acknowledged=acked,
        overdue=(len(rows) - acked) if now > campaign.due_at else 0,
        failed=sum(1 for r in rows if r.failed_reason),
    )


def list_campaigns(*, db_session: Session) -> list[Campaign]:
    """Every campaign, newest first."""
    return list(db_session.scalars(select(Campaign).order_by(Campaign.id.desc())))


def remind(campaign: Campaign, *, db_session: Session, round_key: str) -> int:
    """Queue a reminder to everyone who has not acknowledged (once per round_key)."""
    pending = db_session.scalars(
        select(CampaignRecipient).where(
            CampaignRecipient.campaign_id == campaign.id,
            CampaignRecipient.acknowledged_at.is_(None),
            CampaignRecipient.failed_reason.is_(None),
        )
    )
    payload = _invite_payload(campaign, reminder=True)
    return sum(
        enqueue(
            f"campaign:{campaign.id}:{r.user_id}:reminder:{round_key}",
            REMINDER,
            r.user_id,
            payload,
            db_session=db_session,
        )
        for r in pending
    )


def _overdue_text(campaign: Campaign, db_session: Session, heading: str) -> str:
    late = list(
        db_session.scalars(
            select(CampaignRecipient.user_id)
            .where(
                CampaignRecipient.campaign_id == campaign.id,
                CampaignRecipient.acknowledged_at.is_(None),
            )
            .order_by(CampaignRecipient.user_id)
        )
    )
    st = status(campaign.id, db_session=db_session)
    people = ", ".join(f"<@{u}>" for u in late[:100]) or "nobody"
    more = f" and {len(late) - 100} more" if len(late) > 100 else ""
    return (
        f"{heading} *{campaign.title}* (#{campaign.id}): {st.acknowledged}/{st.recipients} acknowledged, "
        f"{st.failed} could not be reached.\nNot acknowledged: {people}{more}"
    )


def close(
    campaign_id: int, *, db_session: Session, closed_by: str, security_channel: str | None
) -> Campaign:
    """Close a campaign and queue its final report to the security channel."""
    campaign = db_session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError(f"There is no campaign {campaign_id}.")
    if campaign.status == "closed":
        raise CampaignError(f"Campaign {campaign_id} is already closed.")
    campaign.status, campaign.closed_at = "closed", utcnow()
    campaign.next_reminder_at = None
    if security_channel:
        text = _overdue_text(campaign, db_session, ":checkered_flag: Final report for")
        enqueue(
            f"campaign:{campaign.id}:final",
            REPORT,
            security_channel,
            plain(text),
            db_session=db_session,
        )
    ledger.append(
        "campaign_closed", {"campaign": campaign.id, "by": closed_by}, db_session=db_session
    )
    return campaign


def tick(
    now: datetime,
    *,
    db_session: Session,
    client: WebClient | None,
    reminder_days: int,
    security_channel: str | None,
) -> None:
    """Reminders, rolling audiences and overdue reports that are due now; each claimed on its row."""
    active = list(db_session.scalars(select(Campaign).where(Campaign.status == "active")))
    for campaign in active:
        old = campaign.next_reminder_at
        if old is not None and old <= now < campaign.due_at:
            nxt = min(campaign.due_at, old + timedelta(days=reminder_days))
            nxt = nxt if nxt > now else campaign.due_at
            if _claim(db_session, campaign.id, "next_reminder_at", old, nxt):
                remind(campaign, db_session=db_session, round_key=old.strftime("%Y%m%d%H%M"))
        sync = campaign.next_audience_sync_at
        if campaign.rolling and client is not None and sync is not None and sync <= now:
            if _claim(
                db_session, campaign.id, "next_audience_sync_at", sync, now + timedelta(hours=1)
            ):
                people = audiences.resolve(
                    client,
                    audiences.parse(campaign.audience),
                    include_guests=campaign.include_guests,
                )
                add_recipients(campaign, people, db_session=db_session)
        if now >= campaign.due_at and campaign.overdue_reported_at is None and security_channel:
            if _claim(db_session, campaign.id, "overdue_reported_at", None, now):
                text = _overdue_text(campaign, db_session, ":hourglass: Due date passed for")
                enqueue(
                    f"campaign:{campaign.id}:overdue",
                    REPORT,
                    security_channel,
                    plain(text),
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
