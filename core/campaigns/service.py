"""Acknowledgement campaigns and their rules: start, acknowledge, remind, report, close."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import ledger
from core.campaigns import audience as audiences
from core.campaigns.delivery import add_recipients, queue_report, recipient_row, remind
from core.db import affected
from core.errors import DomainError
from core.filenames import storable_name
from core.localtime import local_day
from core.models import Campaign, CampaignRecipient, utcnow

ACTIVE = "active"  # a campaign takes acknowledgements, reminders and new people until closed


class CampaignError(DomainError):
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


def due_at_end_of(day: date, zone: tzinfo) -> datetime:
    """A campaign due on a day is due at the end of that day in the organisation's zone (in UTC)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


def check_due(due: datetime | None, now: datetime, zone: tzinfo) -> datetime:
    """A campaign needs a due date, in the future (named as a day in zone when it is not)."""
    if due is None:
        raise CampaignError("A campaign needs a due date.")
    if due <= now:
        raise CampaignError(f"The due date {local_day(due, zone)} is not in the future.")
    return due


def due_on(day: date | None, zone: tzinfo, now: datetime | None = None) -> datetime:
    """The due instant of a campaign due on `day` (end of that day), checked to be in the future."""
    return check_due(due_at_end_of(day, zone) if day else None, now or utcnow(), zone)


def check_link(link: str | None) -> str | None:
    """A campaign's link, if any, is a full web address."""
    if link and not link.startswith(("http://", "https://")):
        raise CampaignError("A campaign's link must start with http:// or https://.")
    return link


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
    """Create a campaign, resolve its audience and queue one invitation per person.

    Slack is asked for the audience before this session reads or writes anything, so no
    database lock is held while users.list is paged.
    """
    now = now or utcnow()
    if not title.strip():
        raise CampaignError("A campaign needs a title.")
    # Surfaces check the day people picked in their zone first (due_on); this guards direct calls.
    check_due(due, now, UTC)
    check_link(link)
    parsed, people = _audience(client, audience_spec, include_guests=include_guests)
    campaign = Campaign(
        title=title.strip(),
        audience=str(parsed),
        due_at=due,
        link=link,
        rolling=rolling,
        include_guests=include_guests,
        created_by=created_by,
        quiz=quiz,
        next_reminder_at=min(due, now + timedelta(days=reminder_days)),
        next_audience_sync_at=now + timedelta(hours=1) if rolling else None,
    )
    if document:
        campaign.document_name = storable_name(document[0])
        campaign.document_sha256 = hashlib.sha256(document[1]).hexdigest()
    db_session.add(campaign)
    db_session.flush()
    add_recipients(campaign, people, db_session=db_session)
    _record_start(campaign, due, len(people), db_session=db_session)
    return campaign


def _audience(
    client: WebClient, spec: str, *, include_guests: bool
) -> tuple[audiences.Audience, list[str]]:
    """The parsed audience and the people Slack lists in it (someone, or CampaignError)."""
    parsed = audiences.parse(spec)
    people = audiences.resolve(client, parsed, include_guests=include_guests)
    if not people:
        raise CampaignError(
            f"Nobody is in {parsed} (bots, deleted accounts and guests are left out)."
        )
    return parsed, people


def _record_start(
    campaign: Campaign, due: datetime, recipients: int, *, db_session: Session
) -> None:
    ledger.append(
        "campaign_started",
        {
            "campaign": campaign.id,
            "title": campaign.title,
            "audience": campaign.audience,
            "due": due.isoformat(),
            "document_sha256": campaign.document_sha256,
            "by": campaign.created_by,
            "recipients": recipients,
        },
        db_session=db_session,
    )


@dataclass(frozen=True)
class Acknowledgement:
    """An acknowledgement taken; channel/ts is the person's own invitation to mark as done."""

    campaign: Campaign
    new: bool  # False when it had been recorded before
    channel: str | None
    ts: str | None


def own_row(
    campaign_id: int, user_id: str, *, db_session: Session
) -> tuple[Campaign, CampaignRecipient]:
    """A campaign that still takes acknowledgements, and the person's own row of it."""
    campaign = db_session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError("That campaign no longer exists.")
    if campaign.status != ACTIVE:
        raise CampaignError(f"“{campaign.title}” is closed; acknowledgements are no longer taken.")
    recipient = recipient_row(campaign_id, user_id, db_session=db_session)
    if recipient is None:
        raise CampaignError(
            "You are not in this campaign's audience; ask the security team if you should be."
        )
    return campaign, recipient


def check_quiz_rule(campaign: Campaign, score: float | None) -> None:
    """A campaign with a quiz is acknowledged only with a passing score, never by a plain click."""
    if campaign.quiz and score is None:
        raise CampaignError("This campaign needs the quiz passed first: use “Take the quiz”.")


def acknowledge(
    campaign_id: int,
    user_id: str,
    *,
    db_session: Session,
    score: float | None = None,
    channel: str | None = None,
    ts: str | None = None,
) -> Acknowledgement:
    """Record the person's acknowledgement once, on their own row of an active campaign.

    A campaign with a quiz is acknowledged only with a passing score (attempts.submit_quiz).
    """
    campaign, recipient = own_row(campaign_id, user_id, db_session=db_session)
    check_quiz_rule(campaign, score)
    channel, ts = _own_message(recipient, channel, ts)
    now = utcnow()
    if not _claim_acknowledgement(recipient, now, score, db_session=db_session):
        return Acknowledgement(campaign, False, channel, ts)
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
    return Acknowledgement(campaign, True, channel, ts)


def _own_message(
    recipient: CampaignRecipient, channel: str | None, ts: str | None
) -> tuple[str | None, str | None]:
    """The message to mark as acknowledged: the one clicked if it is in the person's own DM."""
    # A payload names the message clicked, but a forged one could name anyone's: only one in the
    # person's own DM with the bot (where their invitations went) counts, else their last invitation.
    if channel and ts and channel == recipient.channel:
        return channel, ts
    return recipient.channel, recipient.ts


def _claim_acknowledgement(
    recipient: CampaignRecipient, now: datetime, score: float | None, *, db_session: Session
) -> bool:
    """Set the acknowledgement on the row only if nobody did first: a double click records once."""
    claimed = affected(
        db_session,
        update(CampaignRecipient)
        .where(
            CampaignRecipient.id == recipient.id,
            CampaignRecipient.acknowledged_at.is_(None),
        )
        .values(acknowledged_at=now, quiz_score=score),
    )
    return claimed == 1


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


def active_campaigns(*, db_session: Session) -> list[Campaign]:
    """The campaigns still running, oldest first."""
    return list(
        db_session.scalars(select(Campaign).where(Campaign.status == ACTIVE).order_by(Campaign.id))
    )


def active(campaign_id: int, *, db_session: Session) -> Campaign:
    """The campaign if it is still running; CampaignError otherwise."""
    campaign = db_session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != ACTIVE:
        raise CampaignError(f"There is no active campaign {campaign_id}.")
    return campaign


def remind_now(campaign_id: int, *, db_session: Session) -> int:
    """A reminder asked for by hand (at most one round a minute); how many were queued."""
    campaign = active(campaign_id, db_session=db_session)
    return remind(campaign, db_session=db_session, round_key=f"manual-{utcnow():%Y%m%d%H%M}")


def overdue_text(campaign: Campaign, heading: str, *, db_session: Session) -> str:
    """A report line for the security channel: who has not acknowledged yet."""
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
        text = overdue_text(campaign, ":checkered_flag: Final report for", db_session=db_session)
        queue_report(campaign, "final", text, channel=security_channel, db_session=db_session)
    ledger.append(
        "campaign_closed", {"campaign": campaign.id, "by": closed_by}, db_session=db_session
    )
    return campaign
