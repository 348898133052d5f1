"""Decisions on accounts: keep, revoke (a removal task), keep all remaining, reassignment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.access_reviews import notify, reminders
from core.access_reviews.errors import AccessReviewError
from core.access_reviews.models import (
    AccessAccount,
    AccessRemoval,
    AccessReview,
    AccessReviewItem,
)
from core.access_reviews.snapshots import get_system
from core.models import utcnow

KEEP, REVOKE = "keep", "revoke"
MAX_REASON = 2000


@dataclass(frozen=True)
class Decided:
    """One decision recorded."""

    item: AccessReviewItem
    account: AccessAccount
    removal: AccessRemoval | None


def needs_reason(item: AccessReviewItem) -> bool:
    """Keeping a privileged or flagged account needs a written reason."""
    return item.privileged or bool(item.flags)


def item_for(item_id: int, user_id: str, *, db_session: Session) -> AccessReviewItem:
    """An item the user may decide now: theirs, undecided, in an active review (else a refusal)."""
    item = db_session.get(AccessReviewItem, item_id)
    if item is None:
        raise AccessReviewError("That account is not part of any access review.")
    review = db_session.get(AccessReview, item.review_id)
    if review is None or review.status != "active":
        raise AccessReviewError(
            f"Access review {item.review_id} is closed; nothing more to decide."
        )
    account = db_session.get(AccessAccount, item.account_id)
    if account is not None and account.user_id == user_id:
        # Assignment never gives anyone their own account: this is a forged or replayed click.
        raise AccessReviewError("You cannot decide on your own account; someone else reviews it.")
    if item.reviewer != user_id:
        raise AccessReviewError(
            "That account is assigned to another reviewer; only they can decide it."
        )
    if item.decision is not None:
        raise AccessReviewError(
            f"That account was already decided ({item.decision}) by <@{item.decided_by}>."
        )
    return item


def decide(
    item_id: int,
    decision: str,
    *,
    user_id: str,
    db_session: Session,
    reason: str | None = None,
) -> Decided:
    """Record keep or revoke; keeping a privileged or flagged account needs a reason."""
    if decision not in {KEEP, REVOKE}:
        raise AccessReviewError("Decide keep or revoke.")
    item = item_for(item_id, user_id, db_session=db_session)
    reason = (reason or "").strip()[:MAX_REASON] or None
    if reason and "\x00" in reason:
        raise AccessReviewError("The reason contains a NUL character (U+0000); remove it.")
    if decision == KEEP and needs_reason(item) and not reason:
        raise AccessReviewError(
            "Keeping a privileged or flagged account needs a reason (why this access is still needed)."
        )
    return _record(item, decision, reason, user_id, db_session=db_session)


def _record(
    item: AccessReviewItem, decision: str, reason: str | None, by: str, *, db_session: Session
) -> Decided:
    account = db_session.get(AccessAccount, item.account_id)
    assert account is not None
    item.decision, item.reason, item.decided_by, item.decided_at = decision, reason, by, utcnow()
    removal = None
    if decision == REVOKE:
        removal = _removal(item, account, db_session=db_session)
    item.ledger_seq = ledger.append(
        "access_decision",
        {
            "review": item.review_id,
            "item": item.id,
            "system": item.system,
            "account": account.account_id,
            "email": account.email,
            "privileged": item.privileged,
            "flags": list(item.flags),
            "decision": decision,
            "reason": reason,
            "by": by,
            "removal": removal.id if removal else None,
        },
        db_session=db_session,
    ).seq
    if removal is not None:
        removal.ledger_seq = item.ledger_seq
        notify.removal_opened(removal, item, db_session=db_session)
        review = db_session.get(AccessReview, item.review_id)
        assert review is not None
        reminders.open_removal(removal, review, db_session=db_session)
    reminders.decision_made(item.review_id, item.reviewer, db_session=db_session)
    return Decided(item, account, removal)


def _removal(
    item: AccessReviewItem, account: AccessAccount, *, db_session: Session
) -> AccessRemoval:
    system = get_system(item.system, db_session=db_session)
    owner = system.owner_user_id if system and system.owner_user_id else item.reviewer
    removal = AccessRemoval(
        item_id=item.id,
        review_id=item.review_id,
        system=item.system,
        account=account.account_id,
        owner=owner,
    )
    db_session.add(removal)
    db_session.flush()
    return removal


def keep_remaining(review_id: int, *, user_id: str, db_session: Session) -> int:
    """Keep every undecided account of this reviewer that is neither privileged nor flagged."""
    review = db_session.get(AccessReview, review_id)
    if review is None or review.status != "active":
        raise AccessReviewError(f"Access review {review_id} is closed; nothing more to decide.")
    items = db_session.scalars(
        select(AccessReviewItem)
        .where(
            AccessReviewItem.review_id == review_id,
            AccessReviewItem.reviewer == user_id,
            AccessReviewItem.decision.is_(None),
        )
        .order_by(AccessReviewItem.id)
    )
    kept = 0
    for item in list(items):
        if needs_reason(item):
            continue
        account = db_session.get(AccessAccount, item.account_id)
        if account is not None and account.user_id == user_id:
            continue
        _record(item, KEEP, None, user_id, db_session=db_session)
        kept += 1
    return kept


def reassign(item_id: int, *, to_user: str, by: str, db_session: Session) -> AccessReviewItem:
    """Give an undecided account to another reviewer (security team); never to its own holder."""
    item = db_session.get(AccessReviewItem, item_id)
    if item is None:
        raise AccessReviewError("That account is not part of any access review.")
    if item.decision is not None:
        raise AccessReviewError("That account is already decided; it cannot be reassigned.")
    account = db_session.get(AccessAccount, item.account_id)
    if account is not None and account.user_id == to_user:
        raise AccessReviewError("Nobody decides on their own account; choose someone else.")
    before = item.reviewer
    item.reviewer, item.assigned_because = to_user, "reassigned"
    db_session.flush()
    review = db_session.get(AccessReview, item.review_id)
    assert review is not None
    reminders.open_decisions(review, [to_user], db_session=db_session)
    reminders.decision_made(item.review_id, before, db_session=db_session)
    ledger.append(
        "access_reassigned",
        {"review": item.review_id, "item": item.id, "from": before, "to": to_user, "by": by},
        db_session=db_session,
    )
    return item
