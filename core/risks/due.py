"""The risk register's due items in the one reminder engine: each review, each treatment action."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy.orm import Session

from core.reminders import service as reminders
from core.risks.models import Risk, RiskAction

REVIEW = "risk_review"
ACTION = "risk_action"


def schedule_review(risk: Risk, *, db_session: Session) -> None:
    """The owner owes the next review at next_review_at (re-opened with each new date)."""
    reminders.open_item(
        db_session=db_session,
        domain=REVIEW,
        ref_id=risk.id,
        assignee=risk.owner_user_id,
        due_at=risk.next_review_at,
    )


def action_due_at(action: RiskAction) -> datetime:
    """A plan step is due by the end of its day."""
    return datetime.combine(action.due, time(23, 59, 59), tzinfo=UTC)


def schedule_action(action: RiskAction, risk: Risk, *, db_session: Session) -> None:
    """An open step is owed by the risk owner by its date; a done or dropped one is closed."""
    if action.status == "open":
        reminders.open_item(
            db_session=db_session,
            domain=ACTION,
            ref_id=action.id,
            assignee=risk.owner_user_id,
            due_at=action_due_at(action),
        )
    else:
        status = "done" if action.status == "done" else "cancelled"
        reminders.close_item(db_session=db_session, domain=ACTION, ref_id=action.id, status=status)
