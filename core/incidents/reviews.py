"""Post-incident reviews and corrective actions (A.5.27, clause 10.2), and what closing still needs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.incidents import reminders as due
from core.incidents.models import CorrectiveAction, Incident, IncidentReview
from core.incidents.service import (
    IncidentError,
    actions_of,
    check_text,
    get,
    record,
    review_of,
)
from core.models import utcnow

MAX_REVIEW = 3000


def record_review(
    incident_id: int,
    *,
    db_session: Session,
    actor: str,
    root_cause: str,
    lessons: str,
    now: datetime | None = None,
) -> IncidentReview:
    """The post-incident review of a resolved incident (once; ledgered)."""
    now = now or utcnow()
    incident = get(incident_id, db_session=db_session)
    if incident.status != "resolved":
        raise IncidentError(
            f"{incident.ref} is {incident.status}: the post-incident review comes once it is resolved."
        )
    if review_of(incident, db_session=db_session) is not None:
        raise IncidentError(f"{incident.ref} already has its post-incident review.")
    review = IncidentReview(
        incident_id=incident.id,
        root_cause=check_text(root_cause, what="root cause", limit=MAX_REVIEW, field="root_cause"),
        lessons=check_text(lessons, what="lessons learned", limit=MAX_REVIEW, field="lessons"),
        reviewed_by=actor,
        reviewed_at=now,
    )
    db_session.add(review)
    db_session.flush()
    review.ledger_seq = record(
        "reviewed",
        incident,
        db_session=db_session,
        by=actor,
        root_cause=review.root_cause,
        lessons=review.lessons,
        due_at=incident.review_due_at.isoformat() if incident.review_due_at else None,
    )
    incident.updated_at = now
    due.sync_review(incident, db_session=db_session, actor=actor, reviewed=True)
    return review


def add_action(
    incident_id: int,
    *,
    db_session: Session,
    actor: str,
    description: str,
    owner: str,
    due_at: datetime,
    now: datetime | None = None,
) -> CorrectiveAction:
    """A corrective action with an owner and a due date in the future (ledgered)."""
    now = now or utcnow()
    incident = get(incident_id, db_session=db_session)
    if incident.status == "closed":
        raise IncidentError(f"{incident.ref} is closed; report a new incident for new work.")
    owner = owner.strip()
    if not owner:
        raise IncidentError("Name who owns the corrective action.", "owner")
    if due_at <= now:
        raise IncidentError("Give the corrective action a due date in the future.", "due_at")
    action = CorrectiveAction(
        incident_id=incident.id,
        description=check_text(
            description, what="corrective action", limit=MAX_REVIEW, field="action"
        ),
        owner=owner,
        due_at=due_at,
        status="open",
        created_by=actor,
        created_at=now,
    )
    db_session.add(action)
    db_session.flush()
    action.ledger_seq = record(
        "action_added",
        incident,
        db_session=db_session,
        action=action.id,
        by=actor,
        owner=owner,
        description=action.description,
        due_at=due_at.isoformat(),
    )
    due.open_action(action, db_session=db_session)
    return action


def get_action(action_id: int, *, db_session: Session) -> CorrectiveAction:
    """The corrective action with this number, or IncidentError."""
    action = db_session.get(CorrectiveAction, action_id)
    if action is None:
        raise IncidentError(f"There is no corrective action #{action_id}.")
    return action


def complete_action(
    action_id: int, *, db_session: Session, actor: str, now: datetime | None = None
) -> CorrectiveAction:
    """Mark a corrective action done (ledgered); a second time is refused."""
    now = now or utcnow()
    action = get_action(action_id, db_session=db_session)
    if action.status == "done":
        raise IncidentError(f"Corrective action #{action.id} is already done.")
    incident = get(action.incident_id, db_session=db_session)
    action.status, action.done_at, action.done_by = "done", now, actor
    record(
        "action_done",
        incident,
        db_session=db_session,
        action=action.id,
        by=actor,
        on_time=now <= action.due_at,
    )
    due.close_action(action, db_session=db_session)
    return action


def missing_for_close(incident: Incident, *, db_session: Session) -> list[str]:
    """What must happen before this incident can be closed (empty when nothing)."""
    if incident.kind == "event":
        return []  # assessed as not an incident (A.5.25): nothing to review
    missing = []
    if review_of(incident, db_session=db_session) is None:
        missing.append("the post-incident review (root cause, lessons learned)")
    open_actions = [a for a in actions_of(incident, db_session=db_session) if a.status != "done"]
    if open_actions:
        listed = ", ".join(f"#{a.id} ({a.description[:40]})" for a in open_actions)
        missing.append(f"{len(open_actions)} corrective action(s) still open: {listed}")
    if incident.personal_data_breach and incident.notified_at is None:
        missing.append("the breach notification (when and whom notified)")
    return missing
