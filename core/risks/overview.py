"""The risk register at a glance: the highest residual risks and what is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from core.risks.models import Risk
from core.risks.scale import RiskScale
from core.risks.service import overdue_actions, overdue_reviews, residual_score, risks


@dataclass(frozen=True)
class Overview:
    """Top risks (plain data) and one line per overdue review or action."""

    top: list[dict[str, Any]]
    overdue: list[str]


def overview(
    *, db_session: Session, scale: RiskScale, now: datetime, zone: tzinfo, top: int = 10
) -> Overview:
    """The `top` highest residual risks and every overdue review and treatment action."""
    ranked = sorted(risks(db_session=db_session), key=lambda r: (-residual_score(r), r.ref))
    rows = [
        {
            "ref": r.ref,
            "title": r.title,
            "residual": residual_score(r),
            "level": scale.level(residual_score(r)),
            "treatment": r.treatment,
            "owner": r.owner_user_id,
        }
        for r in ranked[:top]
    ]
    today = now.astimezone(zone).date()
    lines = [
        f"review of {r.ref} {r.title} was due {r.next_review_at.astimezone(zone):%Y-%m-%d} "
        f"(<@{r.owner_user_id}>)"
        for r in overdue_reviews(db_session=db_session, now=now)
    ]
    for action in overdue_actions(db_session=db_session, today=today):
        risk = db_session.get(Risk, action.risk_id)
        if risk is not None:
            lines.append(
                f"{risk.ref} action '{action.text}' was due {action.due.isoformat()} "
                f"(<@{risk.owner_user_id}>)"
            )
    return Overview(rows, lines)
