"""Triage and handling by the security team: assessment, severity, handler, status and breach flag."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.incidents import reminders as due
from core.incidents.clocks import start_notification_clock, stop_notification_clock
from core.incidents.models import KINDS, SEVERITIES, STATUSES, Incident
from core.incidents.reviews import missing_for_close
from core.incidents.service import (
    MAX_SYSTEMS,
    IncidentError,
    check_text,
    get,
    record,
    review_of,
)
from core.models import utcnow


@dataclass(frozen=True)
class Change:
    """What the security team set; None leaves a field as it is."""

    kind: str | None = None
    severity: str | None = None
    handler: str | None = None
    status: str | None = None
    affected_systems: str | None = None
    personal_data_breach: bool | None = None


@dataclass(frozen=True)
class Clocks:
    """The settings the clocks run on."""

    notification_hours: int
    review_days: int
    security_channel: str | None = None  # also reminded of a breach's notification deadline


def _check_choice(value: str | None, choices: tuple[str, ...], what: str, field: str) -> str | None:
    if value is not None and value not in choices:
        raise IncidentError(
            f"Unknown {what} '{value[:20]}': use one of {', '.join(choices)}.", field
        )
    return value


def check_status_move(incident: Incident, target: str, *, db_session: Session) -> None:
    """Refuse a move that skips a step, reopens a closed incident or closes with work missing."""
    current = incident.status
    if current == "closed":
        raise IncidentError(f"{incident.ref} is closed and stays closed; report a new incident.")
    here, there = STATUSES.index(current), STATUSES.index(target)
    if target == "triaged" and not (incident.kind and incident.severity):
        raise IncidentError(
            f"Before {incident.ref} is triaged, set whether it is an event or an incident, and its severity.",
            "status",
        )
    # An event assessed as no incident (A.5.25) is closed straight from triage.
    skips_for_event = incident.kind == "event" and current == "triaged" and target == "closed"
    if there > here + 1 and not skips_for_event:
        needed = STATUSES[here + 1]
        raise IncidentError(
            f"{incident.ref} is {current}: it must be {needed} before it can be {target}.", "status"
        )
    if target == "closed":
        missing = missing_for_close(incident, db_session=db_session)
        if missing:
            raise IncidentError(
                f"{incident.ref} cannot be closed yet; still missing: " + "; ".join(missing) + ".",
                "status",
            )


def _stamp_status(incident: Incident, target: str, now: datetime, clocks: Clocks) -> None:
    stamps = {"triaged": "triaged_at", "contained": "contained_at", "closed": "closed_at"}
    if target in stamps and getattr(incident, stamps[target]) is None:
        setattr(incident, stamps[target], now)
    if target == "resolved":
        incident.resolved_at = now
        incident.review_due_at = now + timedelta(days=clocks.review_days)


def _set_fields(
    incident: Incident, change: Change, now: datetime, clocks: Clocks
) -> dict[str, Any]:
    """Apply the non-status fields; what changed as {field: [old, new]}."""
    changed: dict[str, Any] = {}
    for f in fields(change):
        new = getattr(change, f.name)
        if f.name == "status" or new is None or getattr(incident, f.name) == new:
            continue
        changed[f.name] = [getattr(incident, f.name), new]
        setattr(incident, f.name, new)
    if "personal_data_breach" in changed:
        if incident.personal_data_breach:
            start_notification_clock(incident, hours=clocks.notification_hours, aware_at=now)
            changed["notify_due_at"] = (
                incident.notify_due_at.isoformat() if incident.notify_due_at else None
            )
        else:
            stop_notification_clock(incident)
    return changed


def apply(
    incident_id: int,
    change: Change,
    *,
    db_session: Session,
    actor: str,
    clocks: Clocks,
    now: datetime | None = None,
) -> tuple[Incident, dict[str, Any]]:
    """Apply a triage change (checked first, all or nothing); each change is a ledger record."""
    now = now or utcnow()
    incident = get(incident_id, db_session=db_session)
    _check_choice(change.kind, KINDS, "assessment", "kind")
    _check_choice(change.severity, SEVERITIES, "severity", "severity")
    _check_choice(change.status, STATUSES, "status", "status")
    if change.affected_systems is not None:
        check_text(
            change.affected_systems,
            what="affected systems",
            limit=MAX_SYSTEMS,
            required=False,
            field="affected_systems",
        )
    if incident.status == "closed":
        raise IncidentError(f"{incident.ref} is closed and stays closed; report a new incident.")
    changed = _set_fields(incident, change, now, clocks)
    if changed:
        record("triage", incident, db_session=db_session, by=actor, changes=changed)
    if change.status is not None and change.status != incident.status:
        check_status_move(incident, change.status, db_session=db_session)
        old = incident.status
        incident.status = change.status
        _stamp_status(incident, change.status, now, clocks)
        changed["status"] = [old, change.status]
        record("status", incident, db_session=db_session, by=actor, old=old, new=change.status)
    if changed:
        incident.updated_at = now
        # What the incident now owes by a date, fed to the one reminder engine.
        due.sync_notification(
            incident, db_session=db_session, actor=actor, security_channel=clocks.security_channel
        )
        reviewed = review_of(incident, db_session=db_session) is not None
        due.sync_review(incident, db_session=db_session, actor=actor, reviewed=reviewed)
    return incident, changed
