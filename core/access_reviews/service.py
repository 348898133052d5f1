"""Access reviews: start one over some systems, see where it stands, remind, close."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import ledger
from core.access_reviews import evidence, notify, reminders
from core.access_reviews.assignment import Assigner
from core.access_reviews.errors import AccessReviewError
from core.access_reviews.models import (
    AccessRemoval,
    AccessReview,
    AccessReviewItem,
    AccessSnapshot,
    AccessSystem,
)
from core.access_reviews.snapshots import current_accounts, get_system, system_name
from core.localtime import local_day
from core.models import utcnow

ACTIVE, CLOSED = "active", "closed"
UTC_ZONE = ZoneInfo("UTC")
# A removal is settled when verified on a pull, accepted as an exception, or (for a system without
# a connector, which cannot be checked) marked done by its owner.
SETTLED = {"verified", "exception"}


@dataclass
class Status:
    """Where a review stands (what `access-review status --json` prints)."""

    id: int
    status: str
    systems: list[str]
    reviewer_mode: str
    due_at: str
    items: int
    decided: int
    kept: int
    revoked: int
    undecided: int
    removals: dict[str, int]
    reviewers: list[dict[str, Any]] = field(default_factory=list)
    overdue: bool = False

    def as_json(self) -> dict[str, Any]:
        """The JSON fields scripts rely on."""
        return dict(self.__dict__)


def parse_systems(raw: str) -> list[str]:
    """`github,aws` as distinct system names, in the order given."""
    names = list(dict.fromkeys(system_name(p) for p in raw.split(",") if p.strip()))
    if not names:
        raise AccessReviewError("Name at least one system, e.g. --systems github,aws.")
    return names


def check_systems(names: list[str], *, db_session: Session) -> list[AccessSystem]:
    """The named systems, each with accounts and an owner in Slack (else a refusal naming it)."""
    out = []
    for name in names:
        system = get_system(name, db_session=db_session)
        if system is None or system.snapshot_id is None:
            raise AccessReviewError(
                f"{name} has no accounts yet: import them first with "
                f"`compliance-bot access-review import {name} FILE --owner EMAIL`."
            )
        if not system.owner_user_id:
            raise AccessReviewError(
                f"{name} has no owner known in Slack: import its accounts again with "
                "--owner EMAIL (the owner handles flagged accounts and removals)."
            )
        out.append(system)
    return out


def start(
    *,
    db_session: Session,
    systems: list[str],
    mode: str,
    due: datetime,
    created_by: str,
    security: list[str],
    zone: tzinfo,
    now: datetime | None = None,
) -> AccessReview:
    """Assign every account of the systems' current snapshots and queue one DM per reviewer."""
    now = now or utcnow()
    if due <= now:
        raise AccessReviewError(f"The due date {local_day(due, zone)} is not in the future.")
    assigner = Assigner(mode, security, db_session)
    chosen = check_systems(systems, db_session=db_session)
    review = AccessReview(
        systems=[s.name for s in chosen], reviewer_mode=mode, due_at=due, created_by=created_by
    )
    db_session.add(review)
    db_session.flush()
    for system in chosen:
        accounts = current_accounts(system, db_session=db_session)
        if not accounts:
            raise AccessReviewError(f"{system.name} has no accounts to review.")
        for account in accounts:
            reviewer, why = assigner.choose(account, system)
            db_session.add_all(
                [
                    AccessReviewItem(
                        review_id=review.id,
                        account_id=account.id,
                        system=system.name,
                        reviewer=reviewer,
                        assigned_because=why,
                        privileged=account.privileged,
                        flags=list(account.flags),
                    )
                ]
            )
    db_session.flush()
    ledger.append(
        "access_review_started", _started(review, chosen, db_session), db_session=db_session
    )
    notify.invite_reviewers(review, db_session=db_session)
    return review


def _started(
    review: AccessReview, systems: list[AccessSystem], db_session: Session
) -> dict[str, Any]:
    snapshots = {
        s.name: db_session.get(AccessSnapshot, s.snapshot_id) for s in systems if s.snapshot_id
    }
    return {
        "review": review.id,
        "systems": {n: {"snapshot": x.id, "sha256": x.sha256} for n, x in snapshots.items() if x},
        "reviewer_mode": review.reviewer_mode,
        "due": review.due_at.isoformat(),
        "by": review.created_by,
    }


def get_review(review_id: int, *, db_session: Session) -> AccessReview:
    """The review, or a refusal naming the command that lists them."""
    review = db_session.get(AccessReview, review_id)
    if review is None:
        raise AccessReviewError(
            f"There is no access review {review_id}; `access-review list` shows them."
        )
    return review


def list_reviews(*, db_session: Session) -> list[AccessReview]:
    """Every review, newest first."""
    return list(db_session.scalars(select(AccessReview).order_by(AccessReview.id.desc())))


def status(review_id: int, *, db_session: Session, now: datetime | None = None) -> Status:
    """Counts of decisions and removals, and what each reviewer has left."""
    review = get_review(review_id, db_session=db_session)
    items = list(
        db_session.scalars(select(AccessReviewItem).where(AccessReviewItem.review_id == review.id))
    )
    decisions = Counter(i.decision for i in items)
    left: dict[str, int] = defaultdict(int)
    for item in items:
        if item.decision is None:
            left[item.reviewer] += 1
    removals = Counter(
        db_session.scalars(select(AccessRemoval.status).where(AccessRemoval.review_id == review.id))
    )
    return Status(
        id=review.id,
        status=review.status,
        systems=list(review.systems),
        reviewer_mode=review.reviewer_mode,
        due_at=review.due_at.isoformat(),
        items=len(items),
        decided=len(items) - decisions[None],
        kept=decisions["keep"],
        revoked=decisions["revoke"],
        undecided=decisions[None],
        removals=dict(sorted(removals.items())),
        reviewers=[{"reviewer": r, "undecided": n} for r, n in sorted(left.items())],
        overdue=review.status == ACTIVE and review.due_at < (now or utcnow()) and bool(left),
    )


def remind_now(review_id: int, *, db_session: Session) -> int:
    """Queue a reminder now to every reviewer with accounts left to decide."""
    review = _active(review_id, db_session=db_session)
    return notify.remind_reviewers(review, db_session=db_session)


def _active(review_id: int, *, db_session: Session) -> AccessReview:
    review = get_review(review_id, db_session=db_session)
    if review.status != ACTIVE:
        raise AccessReviewError(f"Access review {review.id} is closed.")
    return review


def settled(removal: AccessRemoval, system: AccessSystem | None) -> bool:
    """Whether a removal no longer holds the review open."""
    if removal.status in SETTLED:
        return True
    return removal.status == "done" and (system is None or system.connector is None)


def close(
    review_id: int,
    *,
    db_session: Session,
    closed_by: str,
    zone: ZoneInfo = UTC_ZONE,
    max_bytes: int = 25 * 1024 * 1024,
) -> AccessReview:
    """Close once every account is decided and every removal is confirmed or an accepted exception.

    The closed review is handed in and accepted as evidence for the controls it proves.
    """
    review = _active(review_id, db_session=db_session)
    undecided = db_session.scalar(
        select(func.count(AccessReviewItem.id)).where(
            AccessReviewItem.review_id == review.id, AccessReviewItem.decision.is_(None)
        )
    )
    if undecided:
        raise AccessReviewError(
            f"Access review {review.id} cannot close: {undecided} account(s) are not decided yet "
            f"(`access-review status {review.id}` shows who has them; `remind {review.id}` nudges them)."
        )
    pending = [
        r
        for r in db_session.scalars(
            select(AccessRemoval).where(AccessRemoval.review_id == review.id)
        )
        if not settled(r, get_system(r.system, db_session=db_session))
    ]
    if pending:
        shown = ", ".join(f"#{r.id} {r.system}:{r.account} ({r.status})" for r in pending[:5])
        raise AccessReviewError(
            f"Access review {review.id} cannot close: {len(pending)} removal(s) are not confirmed: "
            f"{shown}. Mark them done (connector systems are confirmed on the next pull) or have the "
            "security team accept them as exceptions."
        )
    review.status, review.closed_at, review.closed_by = CLOSED, utcnow(), closed_by
    controls = evidence.hand_in(review, db_session=db_session, zone=zone, max_bytes=max_bytes)
    ledger.append(
        "access_review_closed",
        {"review": review.id, "by": closed_by, "evidence_for": controls},
        db_session=db_session,
    )
    reminders.review_closed(review, db_session=db_session)
    return review
