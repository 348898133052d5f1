"""The owner's answers to a review card: an update of the risk, and accepting its residual risk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.risks.importing import plan_steps
from core.risks.models import Risk, RiskAcceptance
from core.risks.scale import TREATMENTS, RiskScale
from core.risks.service import (
    RISK_ACCEPTANCE,
    RiskError,
    StaleRiskError,
    owned_risk,
    record_review,
    residual_score,
    save_version,
    sync_actions,
)


@dataclass(frozen=True)
class RiskUpdate:
    """What the Update modal sends: scores, treatment and the plan as typed."""

    likelihood: int
    impact: int
    residual_likelihood: int
    residual_impact: int
    treatment: str
    plan: str


def update_problems(update: RiskUpdate, scale: RiskScale) -> dict[str, str]:
    """What is wrong with an update, per field (empty when it can be saved)."""
    problems = {}
    for key in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
        if not scale.in_scale(getattr(update, key)):
            problems[key] = f"Use a whole number from 1 to {scale.top}."
    if update.treatment not in TREATMENTS:
        problems["treatment"] = f"Choose one of {', '.join(TREATMENTS)}."
    _, plan_problems = plan_steps(update.plan)
    if plan_problems:
        problems["plan"] = plan_problems[0]
    return problems


def update_risk(
    risk_id: int,
    update: RiskUpdate,
    *,
    version: int,
    user_id: str,
    scale: RiskScale,
    db_session: Session,
    now: datetime,
) -> Risk:
    """The owner's update becomes the risk's next version and counts as a review."""
    risk = owned_risk(risk_id, version=version, user_id=user_id, db_session=db_session)
    problems = update_problems(update, scale)
    if problems:
        raise RiskError("Not saved: " + "; ".join(f"{k}: {v}" for k, v in problems.items()))
    plan, _ = plan_steps(update.plan)
    risk.likelihood, risk.impact = update.likelihood, update.impact
    risk.residual_likelihood, risk.residual_impact = (
        update.residual_likelihood,
        update.residual_impact,
    )
    risk.treatment, risk.plan = update.treatment, plan
    risk.version += 1
    risk.updated_at = now
    sync_actions(risk, db_session=db_session, now=now)
    save_version(risk, actor=user_id, how="update", db_session=db_session)
    record_review(risk, outcome="updated", user_id=user_id, db_session=db_session, now=now)
    return risk


def acceptance_of(risk: Risk, *, db_session: Session) -> RiskAcceptance | None:
    """The acceptance of the risk's current version, if there is one."""
    return db_session.scalars(
        select(RiskAcceptance).where(
            RiskAcceptance.risk_id == risk.id, RiskAcceptance.version == risk.version
        )
    ).first()


def accept_residual(
    risk_id: int,
    *,
    version: int,
    user_id: str,
    on_security_team: bool,
    scale: RiskScale,
    db_session: Session,
    now: datetime,
) -> RiskAcceptance:
    """Accept the residual risk: the owner signs off, then (above the second threshold) a
    security-team member other than the owner approves. Anyone else, or a stale version, is refused."""
    risk = db_session.get(Risk, risk_id)
    if risk is None:
        raise RiskError("That risk is no longer in the register.")
    if user_id != risk.owner_user_id and not on_security_team:
        raise RiskError(f"Only the owner of {risk.ref} (<@{risk.owner_user_id}>) can accept it.")
    if version != risk.version:
        raise StaleRiskError(risk, version)
    residual = residual_score(risk)
    if not scale.needs_signoff(risk.treatment, residual):
        raise RiskError(
            f"{risk.ref} needs no sign-off: only an accepted risk with a residual score above "
            f"{scale.acceptance_score} does (this one is {risk.treatment}, score {residual})."
        )
    existing = acceptance_of(risk, db_session=db_session)
    if user_id == risk.owner_user_id and existing is None:
        return _owner_accepts(risk, residual, user_id, scale, db_session, now)
    if existing is None:
        raise RiskError(f"The owner of {risk.ref} (<@{risk.owner_user_id}>) accepts it first.")
    if user_id == risk.owner_user_id:
        raise RiskError(f"You already accepted version {risk.version} of {risk.ref}.")
    if not existing.needs_approval or existing.approved_by is not None:
        raise RiskError(f"Version {risk.version} of {risk.ref} is already fully accepted.")
    existing.approved_by, existing.approved_at = user_id, now
    ledger.append(
        RISK_ACCEPTANCE,
        {"risk": risk.ref, "version": risk.version, "by": user_id, "step": "approved"},
        db_session=db_session,
    )
    record_review(risk, outcome="approved", user_id=user_id, db_session=db_session, now=now)
    return existing


def _owner_accepts(
    risk: Risk, residual: int, user_id: str, scale: RiskScale, db_session: Session, now: datetime
) -> RiskAcceptance:
    acceptance = RiskAcceptance(
        risk_id=risk.id,
        version=risk.version,
        residual_score=residual,
        accepted_by=user_id,
        accepted_at=now,
        needs_approval=scale.needs_approval(residual),
    )
    db_session.add(acceptance)
    ledger.append(
        RISK_ACCEPTANCE,
        {
            "risk": risk.ref,
            "version": risk.version,
            "by": user_id,
            "step": "accepted",
            "residual_score": residual,
            "needs_approval": acceptance.needs_approval,
        },
        db_session=db_session,
    )
    record_review(risk, outcome="accepted", user_id=user_id, db_session=db_session, now=now)
    return acceptance
