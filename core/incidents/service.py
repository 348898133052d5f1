"""Reporting an incident, finding one by its INC-<n> ID, listing them; the ledger entry of every change."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.errors import DomainError
from core.incidents.models import CorrectiveAction, Incident, IncidentReview, TimelineEntry
from core.models import utcnow

MAX_DESCRIPTION = 3000  # what Slack's modal input allows; the CLI is held to the same
MAX_SYSTEMS = 1000
# Clocks on people's machines drift: "noticed a minute from now" is a typo only past this.
FUTURE_SLACK = timedelta(minutes=5)
_REF = re.compile(r"^\s*#?(?:inc[-\s]?)?(\d{1,9})\s*$", re.IGNORECASE)


class IncidentError(DomainError):
    """An incident request that cannot be done as asked; `field` names the input at fault, if one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Report:
    """What a person reported, before it is checked and stored."""

    reporter: str
    description: str
    noticed_at: datetime | None = None
    systems: str = ""
    personal_data: bool = False
    surface: str = "slack"


def record(kind: str, incident: Incident, *, db_session: Session, **fields: Any) -> int:
    """Append one incident ledger record (kind `incident_<kind>`) and return its seq."""
    payload = {"incident": incident.ref, **fields}
    return ledger.append(f"incident_{kind}", payload, db_session=db_session).seq


def check_text(
    value: str, *, what: str, limit: int, required: bool = True, field: str | None = None
) -> str:
    """Trimmed text, refused when empty (if required), over limit or holding NUL."""
    value = (value or "").strip()
    if required and not value:
        raise IncidentError(f"Describe {what}: it cannot be empty.", field)
    if len(value) > limit:
        raise IncidentError(
            f"The {what} is {len(value):,} characters; keep it under {limit:,} "
            "(add details in the incident's thread afterwards).",
            field,
        )
    if "\x00" in value:
        raise IncidentError(
            f"The {what} contains a NUL character (U+0000), which cannot be stored; remove it.",
            field,
        )
    return value


def _check_noticed(noticed_at: datetime | None, now: datetime) -> datetime:
    if noticed_at is None:
        return now
    if noticed_at.tzinfo is None:
        raise IncidentError("Give the time noticed with its time zone.", "noticed_at")
    if noticed_at > now + FUTURE_SLACK:
        raise IncidentError(
            f"The time noticed ({noticed_at:%Y-%m-%d %H:%M} UTC) is in the future; "
            "give when you noticed it, or leave it empty for now.",
            "noticed_at",
        )
    return noticed_at


def report(given: Report, *, db_session: Session, now: datetime | None = None) -> Incident:
    """Store a new report (status `reported`) and its ledger record; refusals name the field."""
    now = now or utcnow()
    description = check_text(
        given.description, what="what happened", limit=MAX_DESCRIPTION, field="description"
    )
    systems = check_text(
        given.systems, what="systems or data involved", limit=MAX_SYSTEMS, required=False
    )
    incident = Incident(
        reported_at=now,
        reporter=given.reporter,
        surface=given.surface,
        description=description,
        noticed_at=_check_noticed(given.noticed_at, now),
        systems=systems,
        personal_data_suspected=given.personal_data,
        status="reported",
        affected_systems="",
        updated_at=now,
    )
    db_session.add(incident)
    db_session.flush()
    incident.ledger_seq = record(
        "reported",
        incident,
        db_session=db_session,
        reporter=given.reporter,
        surface=given.surface,
        description=description,
        noticed_at=incident.noticed_at.isoformat(),
        systems=systems,
        personal_data_suspected=given.personal_data,
    )
    return incident


def parse_ref(text: str) -> int | None:
    """The number in INC-12, inc 12, #12 or 12; None for anything else."""
    match = _REF.match(text or "")
    return int(match.group(1)) if match else None


def get(ref: str | int, *, db_session: Session) -> Incident:
    """The incident named by ref (INC-12 or 12), or IncidentError saying how to find one."""
    number = ref if isinstance(ref, int) else parse_ref(ref)
    found = db_session.get(Incident, number) if number is not None else None
    if found is None:
        shown = str(ref)[:40]
        raise IncidentError(f"There is no incident {shown}; `incident list` shows them.")
    return found


def by_thread(channel: str, thread_ts: str, *, db_session: Session) -> Incident | None:
    """The incident whose working thread this is, if any."""
    return db_session.scalars(
        select(Incident).where(Incident.channel == channel, Incident.thread_ts == thread_ts)
    ).first()


def set_thread(incident_id: int, channel: str, ts: str, *, db_session: Session) -> None:
    """Remember where the security team's post (and so the working thread) is."""
    incident = get(incident_id, db_session=db_session)
    incident.channel, incident.thread_ts = channel, ts


def list_incidents(*, db_session: Session) -> list[Incident]:
    """Every incident, newest first."""
    return list(db_session.scalars(select(Incident).order_by(Incident.id.desc())))


def review_of(incident: Incident, *, db_session: Session) -> IncidentReview | None:
    """The incident's post-incident review, if recorded."""
    return db_session.scalars(
        select(IncidentReview).where(IncidentReview.incident_id == incident.id)
    ).first()


def actions_of(incident: Incident, *, db_session: Session) -> list[CorrectiveAction]:
    """The incident's corrective actions, in the order they were added."""
    return list(
        db_session.scalars(
            select(CorrectiveAction)
            .where(CorrectiveAction.incident_id == incident.id)
            .order_by(CorrectiveAction.id)
        )
    )


def timeline_of(incident: Incident, *, db_session: Session) -> list[TimelineEntry]:
    """The incident's timeline, in the order the messages were posted."""
    return list(
        db_session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.incident_id == incident.id)
            .order_by(TimelineEntry.at, TimelineEntry.id)
        )
    )
