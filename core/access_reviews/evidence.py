"""A closed review is accepted evidence for the register controls it proves, so readiness moves."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access_reviews.export import review_csv
from core.access_reviews.models import AccessReview
from core.evidence.service import FileUpload, ensure_request, review, submit
from core.models import OrgControl

# Access rights (ISO 27001 A.5.18) and SOC 2's logical access criteria on granting and removing it.
ACCESS_REQUIREMENTS = {"A.5.18", "CC6.2", "CC6.3"}
SUBMITTER = "access-review"


def controls_for_review(review_: AccessReview, *, db_session: Session) -> list[OrgControl]:
    """Applicable controls naming one of the review's systems, else those implementing access rights."""
    controls = list(
        db_session.scalars(
            select(OrgControl).where(OrgControl.applicable.is_(True)).order_by(OrgControl.ref)
        )
    )
    words = [re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE) for name in review_.systems]
    naming = [
        c for c in controls if any(w.search(f"{c.title} {c.expected_evidence}") for w in words)
    ]
    if naming:
        return naming
    return [c for c in controls if ACCESS_REQUIREMENTS & set(c.requirements)]


def hand_in(
    review_: AccessReview,
    *,
    db_session: Session,
    zone: ZoneInfo,
    max_bytes: int,
    now: datetime | None = None,
) -> list[str]:
    """Submit and accept the review's CSV for each control still open this period; their refs."""
    done = []
    systems = ", ".join(review_.systems)
    for control in controls_for_review(review_, db_session=db_session):
        request = ensure_request(
            control, now or review_.closed_at or review_.created_at, zone, db_session=db_session
        )
        if request.status == "accepted":
            continue
        result = submit(
            [control],
            db_session=db_session,
            submitted_by=SUBMITTER,
            text=f"Access review #{review_.id} of {systems} closed: every account decided, "
            "every removal confirmed or accepted as an exception.",
            upload=FileUpload(
                f"access-review-{review_.id}.csv",
                review_csv(review_, db_session=db_session),
                "text/csv",
            ),
            zone=zone,
            max_bytes=max_bytes,
            now=now,
            surface="access_review",
        )
        if result.submissions:
            review(
                result.submissions[0].request_id,
                accept=True,
                reviewer=review_.closed_by or SUBMITTER,
                comment=f"Accepted from access review #{review_.id}.",
                db_session=db_session,
            )
            done.append(control.ref)
    return done
