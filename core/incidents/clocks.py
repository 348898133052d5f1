"""The incident's clocks: breach notification, post-incident review, corrective actions; met or missed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.incidents.models import CorrectiveAction, Incident
from core.incidents.reminders import sync_notification
from core.incidents.service import IncidentError, check_text, get, record
from core.models import utcnow


@dataclass(frozen=True)
class Clock:
    """One deadline of an incident and where it stands."""

    name: str  # notification, review, action #<id>
    due_at: datetime | None
    done_at: datetime | None

    def state(self, now: datetime) -> str:
        """met, missed (done late), overdue (not done, past due), running, or none (no deadline)."""
        if self.due_at is None:
            return "none"
        if self.done_at is not None:
            return "met" if self.done_at <= self.due_at else "missed"
        return "overdue" if now > self.due_at else "running"


def start_notification_clock(incident: Incident, *, hours: int, aware_at: datetime) -> None:
    """A personal-data breach: the authority must hear of it within `hours` of awareness."""
    incident.aware_at = incident.aware_at or aware_at
    incident.notify_due_at = incident.aware_at + timedelta(hours=hours)


def stop_notification_clock(incident: Incident) -> None:
    """Not a personal-data breach after all: no notification is owed."""
    incident.notify_due_at = None


def record_notification(
    incident_id: int,
    *,
    db_session: Session,
    actor: str,
    notified_at: datetime,
    whom: str,
    now: datetime | None = None,
) -> Incident:
    """When and whom was notified of a personal-data breach (ledgered)."""
    now = now or utcnow()
    incident = get(incident_id, db_session=db_session)
    if not incident.personal_data_breach:
        raise IncidentError(
            f"{incident.ref} is not marked as a personal-data breach; mark it first in triage."
        )
    whom = check_text(whom, what="who was notified", limit=500, field="whom")
    if notified_at > now + timedelta(minutes=5):
        raise IncidentError(
            "The notification time is in the future; give when it was sent.", "notified_at"
        )
    incident.notified_at, incident.notified_whom, incident.updated_at = notified_at, whom, now
    record(
        "notified",
        incident,
        db_session=db_session,
        by=actor,
        notified_at=notified_at.isoformat(),
        whom=whom,
        due_at=incident.notify_due_at.isoformat() if incident.notify_due_at else None,
    )
    sync_notification(incident, db_session=db_session, actor=actor, security_channel=None)
    return incident


def notification_clock(incident: Incident) -> Clock:
    """The breach notification deadline (none unless it is a personal-data breach)."""
    due = incident.notify_due_at if incident.personal_data_breach else None
    return Clock("notification", due, incident.notified_at)


def review_clock(incident: Incident, reviewed_at: datetime | None) -> Clock:
    """The post-incident review, due INCIDENT_REVIEW_DAYS after resolution."""
    return Clock("review", incident.review_due_at, reviewed_at)


def action_clock(action: CorrectiveAction) -> Clock:
    """One corrective action's due date."""
    return Clock(f"action #{action.id}", action.due_at, action.done_at)
