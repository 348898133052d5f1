"""What access reviews queue for people: the reviewer's invitation, reminders, removal tasks."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import outbox
from core.access_reviews import reminders
from core.access_reviews.models import AccessRemoval, AccessReview, AccessReviewItem
from core.models import utcnow

INVITE = "access_review"  # outbox kind: a reviewer's accounts to decide
REMOVAL = "access_removal"  # outbox kind: a revoke for the system owner to carry out
REVIEW_REF = "access_review"
REMOVAL_REF = "access_removal"


def _left(review: AccessReview, *, db_session: Session) -> Counter[str]:
    """Undecided accounts per reviewer."""
    return Counter(
        db_session.scalars(
            select(AccessReviewItem.reviewer).where(
                AccessReviewItem.review_id == review.id, AccessReviewItem.decision.is_(None)
            )
        )
    )


def _content(review: AccessReview, count: int, *, reminder: bool) -> dict[str, object]:
    return {
        "review_id": review.id,
        "systems": list(review.systems),
        "count": count,
        "due": review.due_at.isoformat(),
        "reminder": reminder,
    }


def invite_reviewers(review: AccessReview, *, db_session: Session) -> int:
    """One invitation per reviewer, queued once."""
    left = _left(review, db_session=db_session)
    reminders.open_decisions(review, sorted(left), db_session=db_session)
    for reviewer, count in sorted(left.items()):
        outbox.enqueue(
            f"{INVITE}:{review.id}:{reviewer}",
            INVITE,
            reviewer,
            _content(review, count, reminder=False),
            ref=outbox.Ref(REVIEW_REF, review.id),
            db_session=db_session,
        )
    return len(left)


def remind_reviewers(review: AccessReview, *, db_session: Session) -> int:
    """A reminder now to each reviewer who still has accounts to decide."""
    left = _left(review, db_session=db_session)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    queued = 0
    for reviewer, count in sorted(left.items()):
        queued += outbox.enqueue(
            f"{INVITE}:{review.id}:{reviewer}:remind:{stamp}",
            INVITE,
            reviewer,
            _content(review, count, reminder=True),
            ref=outbox.Ref(REVIEW_REF, review.id),
            db_session=db_session,
        )
    return queued


def removal_opened(removal: AccessRemoval, item: AccessReviewItem, *, db_session: Session) -> None:
    """Tell the system owner what to remove."""
    outbox.enqueue(
        f"{REMOVAL}:{removal.id}",
        REMOVAL,
        removal.owner,
        {
            "removal_id": removal.id,
            "review_id": removal.review_id,
            "system": removal.system,
            "account": removal.account,
            "decided_by": item.decided_by,
            "reason": item.reason,
        },
        ref=outbox.Ref(REMOVAL_REF, removal.id),
        db_session=db_session,
    )
