"""What the reminder engine says about a risk review or a treatment action (plain data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.config import ConfigError, get_settings
from core.reminders import registry
from core.reminders.models import DueItem
from core.risks.describe import describe_risk
from core.risks.due import ACTION, REVIEW
from core.risks.models import Risk, RiskAction
from core.risks.scale import RiskScale


def _scale() -> RiskScale:
    # The describer runs inside the worker's tick, which has no settings object to hand over.
    try:
        return RiskScale.from_settings(get_settings())
    except ConfigError:
        return RiskScale()


def describe_review(item: DueItem, *, db_session: Session) -> dict[str, Any] | None:
    """The review card's content, or None once the risk is gone or reviewed past this date."""
    risk = db_session.get(Risk, item.ref_id)
    if risk is None or risk.next_review_at > item.due_at:
        return None
    content = describe_risk(risk, scale=_scale(), db_session=db_session)
    return {**content, "title": f"Review of risk {content['title']}", "text": content["lines"]}


def describe_action(item: DueItem, *, db_session: Session) -> dict[str, Any] | None:
    """A treatment plan step, or None once it is done or dropped."""
    action = db_session.get(RiskAction, item.ref_id)
    risk = db_session.get(Risk, action.risk_id) if action is not None else None
    if action is None or risk is None or action.status != "open":
        return None
    return {
        "title": f"{risk.ref} treatment action: {action.text}",
        "text": [f"Risk: {risk.ref} {risk.title}", f"Due {action.due.isoformat()}"],
        "ref_id": action.id,
    }


def register() -> None:
    """Register the risk register's describers with the engine."""
    registry.register(REVIEW, describe_review)
    registry.register(ACTION, describe_action)
