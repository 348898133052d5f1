"""A risk as plain data for a review card (the reminder engine and every Slack reply render it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.risks.models import Risk
from core.risks.review import acceptance_of
from core.risks.scale import RiskScale
from core.risks.service import open_actions, residual_score, score


def describe_risk(risk: Risk, *, scale: RiskScale, db_session: Session) -> dict[str, Any]:
    """Title, text lines and what the owner may press for the risk's current version."""
    inherent, residual = score(risk.likelihood, risk.impact), residual_score(risk)
    acceptance = acceptance_of(risk, db_session=db_session)
    lines = [
        f"Owner: <@{risk.owner_user_id}>",
        f"Likelihood {risk.likelihood} × impact {risk.impact} = {inherent} ({scale.level(inherent)})",
        f"Treatment: {risk.treatment}; residual {risk.residual_likelihood} × "
        f"{risk.residual_impact} = {residual} ({scale.level(residual)})",
    ]
    if risk.assets:
        lines.append("Affects: " + ", ".join(risk.assets))
    if risk.controls or risk.requirements:
        lines.append("Controls: " + ", ".join(risk.controls + risk.requirements))
    for action in open_actions(db_session=db_session, risk_id=risk.id):
        lines.append(f"Plan: {action.text} (due {action.due.isoformat()})")
    if acceptance is not None:
        waiting = acceptance.needs_approval and acceptance.approved_by is None
        lines.append(
            f"Residual risk accepted by <@{acceptance.accepted_by}>"
            + (" — awaiting a security-team approval" if waiting else "")
            + (f", approved by <@{acceptance.approved_by}>" if acceptance.approved_by else "")
        )
    return {
        "title": f"{risk.ref} {risk.title}",
        "description": risk.description,
        "lines": lines,
        "ref_id": risk.id,
        "version": risk.version,
        "owner": risk.owner_user_id,
        "signoff": scale.needs_signoff(risk.treatment, residual) and acceptance is None,
        "approval_pending": acceptance is not None
        and acceptance.needs_approval
        and acceptance.approved_by is None,
        "values": {
            "likelihood": risk.likelihood,
            "impact": risk.impact,
            "residual_likelihood": risk.residual_likelihood,
            "residual_impact": risk.residual_impact,
            "treatment": risk.treatment,
            "plan": "\n".join(f"{step['due']} {step['text']}" for step in risk.plan),
        },
    }
