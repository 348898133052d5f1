"""Quiz attempts: who may take a campaign's quiz, grading, and what a pass or a fail records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy.orm import Session

from core.campaigns.quiz import Quiz, grade
from core.campaigns.service import CampaignError, acknowledge, own_row, record_quiz_failure
from core.localtime import local_day
from core.models import Campaign, CampaignRecipient


def _quiz_row(
    campaign_id: int, user_id: str, *, db_session: Session
) -> tuple[Campaign, CampaignRecipient]:
    """The person's own row of an active campaign that has a quiz."""
    campaign, recipient = own_row(campaign_id, user_id, db_session=db_session)
    if not campaign.quiz:
        raise CampaignError("That campaign has no quiz any more.")
    return campaign, recipient


def quiz_for(campaign_id: int, user_id: str, *, db_session: Session, zone: tzinfo) -> Campaign:
    """The campaign whose quiz the person may take now: active, with a quiz, on their own row."""
    campaign, recipient = _quiz_row(campaign_id, user_id, db_session=db_session)
    if recipient.acknowledged_at is not None:
        raise CampaignError(
            f"You already acknowledged “{campaign.title}” on "
            f"{local_day(recipient.acknowledged_at, zone)}; nothing more is needed."
        )
    return campaign


@dataclass(frozen=True)
class QuizResult:
    """A graded quiz attempt, already recorded."""

    title: str
    score: float
    pass_mark: float
    passed: bool
    new: bool  # a pass that recorded the acknowledgement now (not an earlier one)
    channel: str | None = None  # the person's own invitation to mark as done
    ts: str | None = None


def submit_quiz(
    campaign_id: int,
    user_id: str,
    answers: dict[int, int],
    *,
    db_session: Session,
    channel: str | None = None,
    ts: str | None = None,
) -> QuizResult:
    """Grade answers (question index -> choice); a pass acknowledges, a fail goes in the ledger.

    Only the person's own row of an active campaign with a quiz takes an attempt (CampaignError
    otherwise, and nothing is recorded).
    """
    campaign, _ = _quiz_row(campaign_id, user_id, db_session=db_session)
    quiz = Quiz.model_validate(campaign.quiz)
    score, passed = grade(quiz, answers)
    if not passed:
        record_quiz_failure(campaign, user_id, score, db_session=db_session)
        return QuizResult(campaign.title, score, quiz.pass_mark, False, False)
    done = acknowledge(
        campaign_id, user_id, db_session=db_session, score=score, channel=channel, ts=ts
    )
    return QuizResult(campaign.title, score, quiz.pass_mark, True, done.new, done.channel, done.ts)
