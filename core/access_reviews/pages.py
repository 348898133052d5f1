"""What a reviewer sees: their accounts in one review, by system, privileged first, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access_reviews.decisions import needs_reason
from core.access_reviews.errors import AccessReviewError
from core.access_reviews.models import AccessAccount, AccessReview, AccessReviewItem

# 12 accounts take at most 12 x 2 blocks + 12 system headings + 4: under Slack's 50 per message.
PAGE_SIZE = 12


@dataclass(frozen=True)
class Row:
    """One account on the page."""

    item_id: int
    system: str
    account: str
    email: str | None
    role: str
    privileged: bool
    flags: tuple[str, ...]
    last_login: str | None
    decision: str | None
    needs_reason: bool


@dataclass(frozen=True)
class Page:
    """One page of a reviewer's accounts, with what is left overall."""

    review_id: int
    due_at: datetime
    active: bool
    page: int  # 0-based
    pages: int
    rows: tuple[Row, ...]
    left: int  # undecided, all pages
    keepable: int  # undecided ones that Keep all remaining would keep


def reviewer_page(
    review_id: int, reviewer: str, page: int, *, db_session: Session, item_id: int | None = None
) -> Page:
    """The reviewer's page `page` (clamped), or the page showing item_id when given."""
    review = db_session.get(AccessReview, review_id)
    if review is None:
        raise AccessReviewError(f"There is no access review {review_id}.")
    found = db_session.execute(
        select(AccessReviewItem, AccessAccount)
        .join(AccessAccount, AccessAccount.id == AccessReviewItem.account_id)
        .where(AccessReviewItem.review_id == review_id, AccessReviewItem.reviewer == reviewer)
    ).all()
    if not found:
        raise AccessReviewError(f"You have no accounts to review in access review {review_id}.")
    ordered = sorted(
        found, key=lambda p: (p[0].system, not p[0].privileged, p[1].account_id.lower())
    )
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    if item_id is not None:
        index = next((n for n, (i, _) in enumerate(ordered) if i.id == item_id), 0)
        page = index // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    chunk = ordered[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    undecided = [i for i, _ in found if i.decision is None]
    return Page(
        review_id=review.id,
        due_at=review.due_at,
        active=review.status == "active",
        page=page,
        pages=pages,
        rows=tuple(_row(item, account) for item, account in chunk),
        left=len(undecided),
        keepable=sum(1 for i in undecided if not needs_reason(i)),
    )


def _row(item: AccessReviewItem, account: AccessAccount) -> Row:
    return Row(
        item_id=item.id,
        system=item.system,
        account=account.account_id,
        email=account.email,
        role=account.role,
        privileged=item.privileged,
        flags=tuple(item.flags),
        last_login=account.last_login,
        decision=item.decision,
        needs_reason=needs_reason(item),
    )


def page_of_item(item_id: int, *, db_session: Session) -> tuple[int, str]:
    """(review ID, reviewer) of an item."""
    item = db_session.get(AccessReviewItem, item_id)
    if item is None:
        raise AccessReviewError("That account is not part of any access review.")
    return item.review_id, item.reviewer


@dataclass(frozen=True)
class Pending:
    """One review in which someone has accounts left to decide (App Home)."""

    review_id: int
    left: int
    due_at: datetime


def pending_for(reviewer: str, *, db_session: Session) -> list[Pending]:
    """Active reviews where the person still has accounts to decide."""
    rows = db_session.execute(
        select(AccessReview, AccessReviewItem.id)
        .join(AccessReviewItem, AccessReviewItem.review_id == AccessReview.id)
        .where(
            AccessReview.status == "active",
            AccessReviewItem.reviewer == reviewer,
            AccessReviewItem.decision.is_(None),
        )
    ).all()
    counts: dict[int, Pending] = {}
    for review, _ in rows:
        prev = counts.get(review.id)
        counts[review.id] = Pending(review.id, (prev.left if prev else 0) + 1, review.due_at)
    return sorted(counts.values(), key=lambda p: p.due_at)
