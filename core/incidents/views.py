"""Incidents as plain data: the JSON `incident list|show --json` prints, and what the export shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.incidents.clocks import Clock, action_clock, notification_clock, review_clock
from core.incidents.models import Incident
from core.incidents.service import actions_of, review_of, timeline_of


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def summary(incident: Incident) -> dict[str, Any]:
    """One incident as `incident list --json` prints it."""
    return {
        "id": incident.ref,
        "reported_at": _iso(incident.reported_at),
        "reporter": incident.reporter,
        "status": incident.status,
        "kind": incident.kind,
        "severity": incident.severity,
        "handler": incident.handler,
        "personal_data_breach": incident.personal_data_breach,
        "description": incident.description,
        "ledger_seq": incident.ledger_seq,
    }


def _clock(clock: Clock, now: datetime) -> dict[str, Any]:
    return {
        "name": clock.name,
        "due_at": _iso(clock.due_at),
        "done_at": _iso(clock.done_at),
        "state": clock.state(now),
    }


def clocks(incident: Incident, *, db_session: Session, now: datetime) -> list[dict[str, Any]]:
    """Every deadline of the incident that exists, with met / missed / overdue / running."""
    review = review_of(incident, db_session=db_session)
    found = [
        notification_clock(incident),
        review_clock(incident, review.reviewed_at if review else None),
        *(action_clock(a) for a in actions_of(incident, db_session=db_session)),
    ]
    return [_clock(c, now) for c in found if c.due_at is not None]


def detail(incident: Incident, *, db_session: Session, now: datetime) -> dict[str, Any]:
    """One incident in full, as `incident show --json` prints it."""
    review = review_of(incident, db_session=db_session)
    return {
        **summary(incident),
        "noticed_at": _iso(incident.noticed_at),
        "systems": incident.systems,
        "personal_data_suspected": incident.personal_data_suspected,
        "affected_systems": incident.affected_systems,
        "aware_at": _iso(incident.aware_at),
        "notify_due_at": _iso(incident.notify_due_at),
        "notified_at": _iso(incident.notified_at),
        "notified_whom": incident.notified_whom,
        "triaged_at": _iso(incident.triaged_at),
        "contained_at": _iso(incident.contained_at),
        "resolved_at": _iso(incident.resolved_at),
        "review_due_at": _iso(incident.review_due_at),
        "closed_at": _iso(incident.closed_at),
        "thread": {"channel": incident.channel, "ts": incident.thread_ts},
        "clocks": clocks(incident, db_session=db_session, now=now),
        "review": None
        if review is None
        else {
            "root_cause": review.root_cause,
            "lessons": review.lessons,
            "reviewed_by": review.reviewed_by,
            "reviewed_at": _iso(review.reviewed_at),
            "ledger_seq": review.ledger_seq,
        },
        "actions": [
            {
                "id": a.id,
                "description": a.description,
                "owner": a.owner,
                "due_at": _iso(a.due_at),
                "status": a.status,
                "done_at": _iso(a.done_at),
                "ledger_seq": a.ledger_seq,
            }
            for a in actions_of(incident, db_session=db_session)
        ],
        "timeline": [
            {
                "at": _iso(e.at),
                "author": e.author,
                "text": e.text,
                "files": e.files,
                "late": e.late,
                "ledger_seq": e.ledger_seq,
            }
            for e in timeline_of(incident, db_session=db_session)
        ],
    }
