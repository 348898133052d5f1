"""The security team's verdict on handed-in evidence, as plain data the surface can tell the owner."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.evidence.service import review
from core.models import OrgControl


@dataclass(frozen=True)
class Verdict:
    """A review just recorded, and who to tell about it."""

    request_id: int
    control_ref: str
    period: str
    accepted: bool
    comment: str | None
    owner_user_id: str | None


def decide(
    request_id: int, *, accept: bool, reviewer: str, comment: str | None, db_session: Session
) -> Verdict:
    """Accept or reject submitted evidence (a rejection reopens the request); nothing is committed."""
    request = review(
        request_id, accept=accept, reviewer=reviewer, comment=comment, db_session=db_session
    )
    control = db_session.get(OrgControl, request.control_id)
    return Verdict(
        request_id=request.id,
        control_ref=control.ref if control else "?",
        period=request.period,
        accepted=request.status == "accepted",
        comment=request.review_comment,
        owner_user_id=control.owner_user_id if control else None,
    )
