"""Risks after import: versions, treatment actions, reading the register, and the owner's reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.errors import DomainError
from core.review_cadence import next_review
from core.risks.due import schedule_action, schedule_review
from core.risks.models import Risk, RiskAcceptance, RiskAction, RiskReview, RiskVersion

# Ledger record kinds of this domain (the export and readiness read them back).
RISK_CHANGE = "risk_change"
RISK_REVIEW = "risk_review"
RISK_ACCEPTANCE = "risk_acceptance"
RISK_ACTION_DONE = "risk_action_done"


class RiskError(DomainError):
    """A risk cannot be changed as asked; the message says what to do."""


class StaleRiskError(RiskError):
    """The person acted on an older version of the risk; the newer one is attached to show them."""

    def __init__(self, risk: Risk, seen_version: int) -> None:
        self.risk_id = risk.id
        self.version = risk.version
        super().__init__(
            f"{risk.ref} changed since this card was sent (you saw version {seen_version}, "
            f"it is now at version {risk.version}): nothing was recorded. Here is the current one."
        )


@dataclass(frozen=True)
class RiskRecord:
    """One risk with its history, as `risk show` and the auditor page print it."""

    risk: Risk
    versions: list[RiskVersion]
    actions: list[RiskAction]
    reviews: list[RiskReview]
    acceptances: list[RiskAcceptance]


def score(likelihood: int, impact: int) -> int:
    """A risk's score: likelihood times impact."""
    return likelihood * impact


def residual_score(risk: Risk) -> int:
    """The score left after treatment."""
    return score(risk.residual_likelihood, risk.residual_impact)


def risks(*, db_session: Session) -> list[Risk]:
    """Every risk in the register, by ID."""
    return list(db_session.scalars(select(Risk).order_by(Risk.ref)))


def risk_by_ref(ref: str, *, db_session: Session) -> Risk | None:
    """The risk with this ID (ignoring case), or None."""
    for risk in db_session.scalars(select(Risk)):
        if risk.ref.lower() == ref.strip().lower():
            return risk
    return None


def risk_record(ref: str, *, db_session: Session) -> RiskRecord | None:
    """The risk with its versions, plan, reviews and acceptances, or None when there is none."""
    risk = risk_by_ref(ref, db_session=db_session)
    return None if risk is None else record_of(risk, db_session=db_session)


def record_of(risk: Risk, *, db_session: Session) -> RiskRecord:
    """The history of one risk, oldest first."""

    def rows(model: Any, order: Any) -> list[Any]:
        return list(
            db_session.scalars(select(model).where(model.risk_id == risk.id).order_by(order))
        )

    return RiskRecord(
        risk,
        rows(RiskVersion, RiskVersion.version),
        rows(RiskAction, RiskAction.due),
        rows(RiskReview, RiskReview.id),
        rows(RiskAcceptance, RiskAcceptance.version),
    )


SNAPSHOT_FIELDS = [
    "title",
    "description",
    "owner",
    "assets",
    "likelihood",
    "impact",
    "treatment",
    "controls",
    "requirements",
    "plan",
    "residual_likelihood",
    "residual_impact",
    "review_cadence",
]


def snapshot_of(risk: Risk) -> dict[str, Any]:
    """The risk's fields that define a version (as an imported row's snapshot gives them)."""
    return {k: (list(v) if isinstance(v := getattr(risk, k), list) else v) for k in SNAPSHOT_FIELDS}


def save_version(risk: Risk, *, actor: str, how: str, db_session: Session) -> RiskVersion:
    """Keep the risk's current state as its version and put the change in the ledger."""
    snapshot = snapshot_of(risk)
    record = ledger.append(
        RISK_CHANGE,
        {"risk": risk.ref, "version": risk.version, "by": actor, "how": how, **snapshot},
        db_session=db_session,
    )
    version = RiskVersion(
        risk_id=risk.id,
        version=risk.version,
        snapshot=snapshot,
        changed_by=actor,
        how=how,
        ledger_seq=record.seq,
    )
    db_session.add(version)
    db_session.flush()
    return version


def sync_actions(risk: Risk, *, db_session: Session, now: datetime) -> list[RiskAction]:
    """Make the open actions match the plan: new steps added, steps no longer planned dropped."""
    stored = list(db_session.scalars(select(RiskAction).where(RiskAction.risk_id == risk.id)))
    wanted = [(date.fromisoformat(step["due"]), step["text"]) for step in risk.plan]
    for action in stored:
        if action.status == "open" and (action.due, action.text) not in wanted:
            action.status, action.closed_at = "dropped", now
    known = {(a.due, a.text) for a in stored if a.status != "dropped"}
    for due, text in wanted:
        if (due, text) not in known:
            stored.append(RiskAction(risk_id=risk.id, text=text, due=due))
            db_session.add(stored[-1])
    db_session.flush()
    for action in stored:  # each open step is a due item of the owner's; the others are closed
        schedule_action(action, risk, db_session=db_session)
    return [a for a in stored if a.status == "open"]


def open_actions(*, db_session: Session, risk_id: int | None = None) -> list[RiskAction]:
    """Treatment actions not yet done, soonest first."""
    query = select(RiskAction).where(RiskAction.status == "open").order_by(RiskAction.due)
    if risk_id is not None:
        query = query.where(RiskAction.risk_id == risk_id)
    return list(db_session.scalars(query))


def owned_risk(risk_id: int, *, version: int, user_id: str, db_session: Session) -> Risk:
    """The risk a button or modal names, checked against its owner and the version they saw."""
    risk = db_session.get(Risk, risk_id)
    if risk is None:
        raise RiskError("That risk is no longer in the register.")
    if user_id != risk.owner_user_id:
        raise RiskError(f"Only the owner of {risk.ref} (<@{risk.owner_user_id}>) can review it.")
    if version != risk.version:
        raise StaleRiskError(risk, version)
    return risk


def record_review(
    risk: Risk, *, outcome: str, user_id: str, db_session: Session, now: datetime
) -> RiskReview:
    """The owner looked at the risk: the next review is one cadence from now; ledgered."""
    entry = ledger.append(
        RISK_REVIEW,
        {"risk": risk.ref, "version": risk.version, "by": user_id, "outcome": outcome},
        db_session=db_session,
    )
    review = RiskReview(
        risk_id=risk.id,
        version=risk.version,
        outcome=outcome,
        user_id=user_id,
        reviewed_at=now,
        ledger_seq=entry.seq,
    )
    db_session.add(review)
    risk.last_reviewed_at = now
    risk.next_review_at = next_review(risk.review_cadence, now)
    db_session.flush()
    schedule_review(risk, db_session=db_session)
    return review


def mark_accurate(
    risk_id: int, *, version: int, user_id: str, db_session: Session, now: datetime
) -> Risk:
    """The owner confirms the risk as it stands (Still accurate)."""
    risk = owned_risk(risk_id, version=version, user_id=user_id, db_session=db_session)
    record_review(risk, outcome="accurate", user_id=user_id, db_session=db_session, now=now)
    return risk


def complete_action(
    action_id: int, *, user_id: str, db_session: Session, now: datetime
) -> RiskAction:
    """The owner marks a treatment action done; ledgered with the risk and version."""
    action = db_session.get(RiskAction, action_id)
    risk = db_session.get(Risk, action.risk_id) if action is not None else None
    if action is None or risk is None:
        raise RiskError("That treatment action is no longer in the register.")
    if user_id != risk.owner_user_id:
        raise RiskError(
            f"Only the owner of {risk.ref} (<@{risk.owner_user_id}>) can close its actions."
        )
    if action.status != "open":
        raise RiskError(f"'{action.text}' of {risk.ref} is already {action.status}.")
    action.status, action.closed_at = "done", now
    schedule_action(action, risk, db_session=db_session)
    ledger.append(
        RISK_ACTION_DONE,
        {
            "risk": risk.ref,
            "version": risk.version,
            "action": action.text,
            "due": action.due.isoformat(),
            "by": user_id,
        },
        db_session=db_session,
    )
    return action


def overdue_reviews(*, db_session: Session, now: datetime) -> list[Risk]:
    """Risks whose review date has passed, longest overdue first."""
    return list(
        db_session.scalars(
            select(Risk).where(Risk.next_review_at < now).order_by(Risk.next_review_at)
        )
    )


def overdue_actions(*, db_session: Session, today: date) -> list[RiskAction]:
    """Open treatment actions past their due date."""
    return [a for a in open_actions(db_session=db_session) if a.due < today]
