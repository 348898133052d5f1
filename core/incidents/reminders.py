"""What incidents owe by a date, fed to the reminder engine: breach notification, review, actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.incidents.models import CorrectiveAction, Incident, IncidentReview
from core.reminders import registry
from core.reminders import service as reminders
from core.reminders.models import DueItem

NOTIFICATION = "incident_notification"
REVIEW = "incident_review"
ACTION = "incident_action"
NOTIFY_DAYS_BEFORE = 2  # a 72-hour clock: remind at once, on the due day, and after
REVIEW_DAYS_BEFORE = 3


def _channel_key(incident: Incident) -> str:
    return f"{NOTIFICATION}:{incident.id}:channel"


def sync_notification(
    incident: Incident, *, db_session: Session, actor: str, security_channel: str | None
) -> None:
    """A breach not yet notified is owed by its handler, with the security channel told too."""
    owed = bool(
        incident.personal_data_breach
        and incident.notify_due_at
        and incident.notified_at is None
        and incident.status != "closed"
    )
    if not owed or incident.notify_due_at is None:
        status = "done" if incident.notified_at else "cancelled"
        for key in (None, _channel_key(incident)):
            reminders.close_item(
                db_session=db_session,
                domain=NOTIFICATION,
                ref_id=incident.id,
                key=key,
                status=status,
            )
        return
    keys: list[tuple[str, str | None]] = [(incident.handler or actor, None)]
    if security_channel:  # reminded before the clock runs out, not only escalated after it
        keys.append((security_channel, _channel_key(incident)))
    for assignee, key in keys:
        reminders.open_item(
            db_session=db_session,
            domain=NOTIFICATION,
            ref_id=incident.id,
            assignee=assignee,
            due_at=incident.notify_due_at,
            escalate_after_days=1,
            days_before=NOTIFY_DAYS_BEFORE,
            key=key,
        )


def sync_review(incident: Incident, *, db_session: Session, actor: str, reviewed: bool) -> None:
    """A resolved incident owes its post-incident review to its handler until it is recorded."""
    if incident.status == "resolved" and incident.review_due_at and not reviewed:
        reminders.open_item(
            db_session=db_session,
            domain=REVIEW,
            ref_id=incident.id,
            assignee=incident.handler or actor,
            due_at=incident.review_due_at,
            days_before=REVIEW_DAYS_BEFORE,
        )
    else:
        reminders.close_item(
            db_session=db_session,
            domain=REVIEW,
            ref_id=incident.id,
            status="done" if reviewed else "cancelled",
        )


def open_action(action: CorrectiveAction, *, db_session: Session) -> None:
    """A corrective action is owed by its owner, nudged and escalated like evidence."""
    reminders.open_item(
        db_session=db_session,
        domain=ACTION,
        ref_id=action.id,
        assignee=action.owner,
        due_at=action.due_at,
    )


def close_action(action: CorrectiveAction, *, db_session: Session) -> None:
    """The corrective action is done."""
    reminders.close_item(db_session=db_session, domain=ACTION, ref_id=action.id, status="done")


def _describe_notification(item: DueItem, *, db_session: Session) -> dict[str, Any] | None:
    incident = db_session.get(Incident, item.ref_id)
    if incident is None or not incident.personal_data_breach or incident.notified_at:
        return None
    return {
        "title": f"Personal-data breach {incident.ref}: notify the authority",
        "text": [
            incident.description[:300],
            "Record when and whom you notified in its triage form.",
        ],
        "incident": incident.ref,
    }


def _describe_review(item: DueItem, *, db_session: Session) -> dict[str, Any] | None:
    incident = db_session.get(Incident, item.ref_id)
    done = db_session.query(IncidentReview).filter_by(incident_id=item.ref_id).first()
    if incident is None or done is not None or incident.status != "resolved":
        return None
    return {
        "title": f"Post-incident review of {incident.ref}",
        "text": [incident.description[:300], "Record root cause and lessons learned."],
        "incident": incident.ref,
    }


def _describe_action(item: DueItem, *, db_session: Session) -> dict[str, Any] | None:
    action = db_session.get(CorrectiveAction, item.ref_id)
    if action is None or action.status == "done":
        return None
    return {
        "title": f"Corrective action #{action.id} for INC-{action.incident_id}",
        "text": [action.description[:300]],
        "incident": f"INC-{action.incident_id}",
    }


def register() -> None:
    """Register the incident describers with the reminder engine."""
    registry.register(NOTIFICATION, _describe_notification)
    registry.register(REVIEW, _describe_review)
    registry.register(ACTION, _describe_action)
