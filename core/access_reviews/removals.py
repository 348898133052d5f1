"""Removal tasks after a revoke: marked done by the system owner, or accepted as an exception."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.access_reviews import reminders
from core.access_reviews.errors import AccessReviewError
from core.access_reviews.models import AccessRemoval, AccessReview
from core.evidence.service import FileUpload, store_blob
from core.filenames import storable_name
from core.models import utcnow


def _removal(removal_id: int, *, db_session: Session) -> AccessRemoval:
    removal = db_session.get(AccessRemoval, removal_id)
    if removal is None:
        raise AccessReviewError(f"There is no removal task {removal_id}.")
    review = db_session.get(AccessReview, removal.review_id)
    if review is not None and review.status != "active":
        raise AccessReviewError(f"Access review {review.id} is closed; its removals are settled.")
    return removal


def removal_for(
    removal_id: int, *, user_id: str, is_security: bool, db_session: Session
) -> AccessRemoval:
    """A removal this person may mark done now (its system owner, or the security team)."""
    removal = _removal(removal_id, db_session=db_session)
    if user_id != removal.owner and not is_security:
        raise AccessReviewError(
            f"Only the system owner <@{removal.owner}> or the security team can mark this removal done."
        )
    if removal.status in {"done", "verified", "exception"}:
        raise AccessReviewError(f"Removal #{removal.id} is already {removal.status}.")
    return removal


def mark_done(
    removal_id: int,
    *,
    user_id: str,
    is_security: bool,
    db_session: Session,
    note: str | None = None,
    upload: FileUpload | None = None,
    max_bytes: int = 25 * 1024 * 1024,
) -> AccessRemoval:
    """The owner (or security team) says the account is removed, with an optional note or file."""
    removal = removal_for(
        removal_id, user_id=user_id, is_security=is_security, db_session=db_session
    )
    note = (note or "").strip()[:2000] or None
    removal.status, removal.done_by, removal.done_at, removal.note = "done", user_id, utcnow(), note
    if upload is not None:
        removal.file_sha256 = store_blob(upload, db_session=db_session, max_bytes=max_bytes)
    reminders.removal_settled(removal, db_session=db_session)
    removal.ledger_seq = ledger.append(
        "access_removal_done",
        {
            "removal": removal.id,
            "review": removal.review_id,
            "system": removal.system,
            "account": removal.account,
            "by": user_id,
            "note": note,
            "file_sha256": removal.file_sha256,
            "file_name": storable_name(upload.name) if upload else None,
        },
        db_session=db_session,
    ).seq
    return removal


def accept_exception(
    removal_id: int, *, by: str, reason: str, db_session: Session
) -> AccessRemoval:
    """The security team accepts that this account stays (the reason is recorded)."""
    removal = _removal(removal_id, db_session=db_session)
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise AccessReviewError("An exception needs a reason: why may this account stay?")
    if removal.status in {"verified", "exception"}:
        raise AccessReviewError(f"Removal #{removal.id} is already {removal.status}.")
    removal.status, removal.exception_by, removal.exception_reason = "exception", by, reason
    reminders.removal_settled(removal, db_session=db_session)
    removal.ledger_seq = ledger.append(
        "access_exception",
        {
            "removal": removal.id,
            "review": removal.review_id,
            "system": removal.system,
            "account": removal.account,
            "by": by,
            "reason": reason,
        },
        db_session=db_session,
    ).seq
    return removal


def open_removals(*, db_session: Session, owner: str | None = None) -> list[AccessRemoval]:
    """Removals not yet done (for one owner, or everyone's)."""
    stmt = select(AccessRemoval).where(AccessRemoval.status.in_(["open", "still_present"]))
    if owner is not None:
        stmt = stmt.where(AccessRemoval.owner == owner)
    return list(db_session.scalars(stmt.order_by(AccessRemoval.id)))
