"""What access reviews owe by a date, fed to the one reminder engine: decisions and removals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.access_reviews.models import AccessRemoval, AccessReview, AccessReviewItem
from core.access_reviews.people import manager_of
from core.models import utcnow
from core.reminders import registry
from core.reminders import service as engine

DECISION = "access_decision"  # one item per reviewer per review: their undecided accounts
REMOVAL = "removal_task"  # one item per removal: the system owner removes the account
REMOVAL_DAYS = 7  # a removal decided on or after the review's due date is due a week later
OPEN_REMOVALS = ("open", "still_present")


def decision_key(review_id: int, reviewer: str) -> str:
    """The due item of one reviewer's decisions in one review."""
    return f"{DECISION}:{review_id}:{reviewer}"


def _undecided(review_id: int, reviewer: str, *, db_session: Session) -> int:
    return int(
        db_session.scalar(
            select(func.count(AccessReviewItem.id)).where(
                AccessReviewItem.review_id == review_id,
                AccessReviewItem.reviewer == reviewer,
                AccessReviewItem.decision.is_(None),
            )
        )
        or 0
    )


def open_decisions(review: AccessReview, reviewers: list[str], *, db_session: Session) -> None:
    """Each reviewer owes their decisions by the due date; escalation to their manager (else security)."""
    for reviewer in reviewers:
        engine.open_item(
            db_session=db_session,
            domain=DECISION,
            ref_id=review.id,
            key=decision_key(review.id, reviewer),
            assignee=reviewer,
            due_at=review.due_at,
            escalate_to=manager_of(reviewer, db_session=db_session),
        )


def decision_made(review_id: int, reviewer: str, *, db_session: Session) -> None:
    """Close the reviewer's item once nothing is left for them."""
    if _undecided(review_id, reviewer, db_session=db_session) == 0:
        engine.close_item(
            db_session=db_session,
            domain=DECISION,
            ref_id=review_id,
            key=decision_key(review_id, reviewer),
        )


def open_removal(removal: AccessRemoval, review: AccessReview, *, db_session: Session) -> None:
    """The system owner owes the removal; escalation to their manager (else security)."""
    engine.open_item(
        db_session=db_session,
        domain=REMOVAL,
        ref_id=removal.id,
        assignee=removal.owner,
        due_at=max(review.due_at, utcnow() + timedelta(days=REMOVAL_DAYS)),
        escalate_to=manager_of(removal.owner, db_session=db_session),
    )


def removal_settled(removal: AccessRemoval, *, db_session: Session) -> None:
    """Nothing more is owed for this removal (done, verified or an exception)."""
    engine.close_item(db_session=db_session, domain=REMOVAL, ref_id=removal.id)


def review_closed(review: AccessReview, *, db_session: Session) -> None:
    """A closed review owes nothing: cancel whatever is still open for it."""
    for item in engine.open_items(db_session=db_session, domain=DECISION):
        if item.ref_id == review.id:
            engine.close_item(
                db_session=db_session,
                domain=DECISION,
                ref_id=review.id,
                key=item.key,
                status="cancelled",
            )


def describe_decision(item: Any, *, db_session: Session) -> dict[str, Any] | None:
    """The reminder's words for a reviewer's undecided accounts (None once nothing is left)."""
    review = db_session.get(AccessReview, item.ref_id)
    left = _undecided(item.ref_id, item.assignee, db_session=db_session)
    if review is None or review.status != "active" or left == 0:
        return None
    return {
        "title": f"Access review #{review.id} ({', '.join(review.systems)})",
        "text": [f"{left} account(s) left to decide: keep or revoke each."],
        "ref_id": review.id,
        "left": left,
    }


def describe_removal(item: Any, *, db_session: Session) -> dict[str, Any] | None:
    """The reminder's words for a removal (None once done, verified or an exception)."""
    removal = db_session.get(AccessRemoval, item.ref_id)
    if removal is None or removal.status not in OPEN_REMOVALS:
        return None
    still = " It was still there at the last pull." if removal.status == "still_present" else ""
    return {
        "title": f"Remove {removal.account} from {removal.system}",
        "text": [f"Revoked in access review #{removal.review_id}.{still}"],
        "ref_id": removal.id,
    }


def register() -> None:
    """Register both describers with the engine."""
    registry.register(DECISION, describe_decision)
    registry.register(REMOVAL, describe_removal)
