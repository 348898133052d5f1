"""Whether incident management operates: a period's incidents handled to closure, or work overdue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.incidents.models import CorrectiveAction, Incident, IncidentReview

# Register controls implementing these are judged by how incidents were handled (issue 23).
INCIDENT_REQUIREMENTS = frozenset(
    {"A.5.24", "A.5.25", "A.5.26", "A.5.27", "A.5.28", "CC7.3", "CC7.4", "CC7.5"}
)


def covers(requirements: list[str]) -> bool:
    """True when a control implements an incident-management requirement."""
    return bool(INCIDENT_REQUIREMENTS.intersection(requirements))


def overdue_work(*, db_session: Session, now: datetime) -> list[tuple[str, datetime]]:
    """Reviews, corrective actions and breach notifications past due and not done, oldest first."""
    found: list[tuple[str, datetime]] = []
    reviewed = set(db_session.scalars(select(IncidentReview.incident_id)))
    for i in db_session.scalars(select(Incident).where(Incident.status != "closed")):
        if i.review_due_at and i.review_due_at < now and i.id not in reviewed:
            found.append((f"post-incident review of {i.ref}", i.review_due_at))
        if (
            i.personal_data_breach
            and i.notify_due_at
            and i.notify_due_at < now
            and not i.notified_at
        ):
            found.append((f"breach notification for {i.ref}", i.notify_due_at))
    actions = select(CorrectiveAction).where(
        CorrectiveAction.status != "done", CorrectiveAction.due_at < now
    )
    for a in db_session.scalars(actions):
        found.append((f"corrective action #{a.id} of INC-{a.incident_id} ({a.owner})", a.due_at))
    return sorted(found, key=lambda item: item[1])


def handled_to_closure(*, db_session: Session, start: datetime, now: datetime) -> bool | None:
    """True when incidents were reported since start and all are closed; False if some are open;
    None when there were none (the control is judged by its evidence alone)."""
    reported = list(
        db_session.scalars(
            select(Incident.status).where(
                Incident.reported_at >= start, Incident.reported_at <= now
            )
        )
    )
    if not reported:
        return None
    return all(status == "closed" for status in reported)
