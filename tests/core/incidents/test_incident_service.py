"""The incident service on SQLite and PostgreSQL: reports, triage, clocks, review, actions, ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import ledger
from core.db import Database
from core.evidence.service import FileUpload
from core.incidents import reviews, triage
from core.incidents.clocks import record_notification
from core.incidents.models import Incident
from core.incidents.service import IncidentError, Report, get, report
from core.incidents.timeline import Message, RefusedFile, add_message
from core.incidents.views import detail
from core.models import Blob, LedgerRecord

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
CLOCKS = triage.Clocks(notification_hours=72, review_days=14)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    db = Database(database_url)
    with db.session_scope() as s:
        yield s


def _report(session: Session, text: str = "My laptop was stolen from my car") -> Incident:
    given = Report(reporter="UALICE", description=text, systems="laptop", personal_data=True)
    return report(given, db_session=session, now=NOW)


def _kinds(session: Session) -> list[str]:
    return [r.kind for r in session.scalars(select(LedgerRecord).order_by(LedgerRecord.seq))]


def _apply(session: Session, incident: Incident, at: datetime = NOW, **change: object) -> None:
    triage.apply(
        incident.id,
        triage.Change(**change),  # type: ignore[arg-type]
        db_session=session,
        actor="USEC1",
        clocks=CLOCKS,
        now=at,
    )


def test_a_report_gets_an_inc_id_and_a_ledger_record(session: Session) -> None:
    first, second = _report(session), _report(session, "Clicked a phishing link")
    assert (first.ref, second.ref) == ("INC-1", "INC-2")
    assert first.status == "reported" and first.noticed_at == NOW
    assert get("inc-2", db_session=session) is second
    assert get(" INC-1 ", db_session=session) is first
    payload = json.loads(session.get(LedgerRecord, first.ledger_seq).payload)  # type: ignore[union-attr]
    assert payload["incident"] == "INC-1" and payload["description"].startswith("My laptop")
    assert _kinds(session) == ["incident_reported", "incident_reported"]


@pytest.mark.parametrize(
    ("description", "noticed", "message"),
    [
        ("   ", None, "cannot be empty"),
        ("x" * 3001, None, "keep it under 3,000"),
        ("phished", NOW + timedelta(hours=2), "is in the future"),
        ("nul \x00 here", None, "NUL character"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_stored(
    session: Session, description: str, noticed: datetime | None, message: str
) -> None:
    given = Report(reporter="UALICE", description=description, noticed_at=noticed)
    with pytest.raises(IncidentError, match=message):
        report(given, db_session=session, now=NOW)
    assert session.scalars(select(Incident)).first() is None
    assert ledger.count(db_session=session) == 0


def test_unknown_ids_say_how_to_find_one(session: Session) -> None:
    for ref in ("INC-9", "nonsense", "99999999999999"):
        with pytest.raises(IncidentError, match="incident list"):
            get(ref, db_session=session)


def test_status_cannot_skip_a_step_and_says_which(session: Session) -> None:
    incident = _report(session)
    with pytest.raises(IncidentError, match="set whether it is an event or an incident"):
        _apply(session, incident, status="triaged")
    with pytest.raises(IncidentError, match="must be triaged before it can be contained"):
        _apply(session, incident, kind="incident", severity="high", status="contained")


def test_closing_names_what_is_missing_then_the_full_flow_closes(session: Session) -> None:
    incident = _report(session)
    _apply(session, incident, kind="incident", severity="high", handler="UBOB", status="triaged")
    _apply(session, incident, personal_data_breach=True, affected_systems="laptop, CRM export")
    assert incident.notify_due_at == NOW + timedelta(hours=72)
    _apply(session, incident, status="contained")
    resolved = NOW + timedelta(days=1)
    _apply(session, incident, resolved, status="resolved")
    assert incident.review_due_at == resolved + timedelta(days=14)
    with pytest.raises(IncidentError) as refused:
        _apply(session, incident, status="closed")
    assert "post-incident review" in str(refused.value)
    assert "breach notification" in str(refused.value)
    record_notification(
        incident.id,
        db_session=session,
        actor="USEC1",
        notified_at=NOW + timedelta(hours=20),
        whom="the supervisory authority",
        now=resolved,
    )
    reviews.record_review(
        incident.id,
        db_session=session,
        actor="UBOB",
        root_cause="Laptop left visible in a parked car",
        lessons="Full-disk encryption made it a non-event for data",
        now=resolved,
    )
    actions = [
        reviews.add_action(
            incident.id,
            db_session=session,
            actor="UBOB",
            description=text,
            owner="UCAROL",
            due_at=resolved + timedelta(days=7),
            now=resolved,
        )
        for text in ("Remind staff of the travel policy", "Check MDM wipe works")
    ]
    with pytest.raises(IncidentError, match=r"2 corrective action\(s\) still open"):
        _apply(session, incident, status="closed")
    for action in actions:
        reviews.complete_action(action.id, db_session=session, actor="UCAROL", now=resolved)
    with pytest.raises(IncidentError, match="already done"):
        reviews.complete_action(actions[0].id, db_session=session, actor="UCAROL")
    _apply(session, incident, resolved, status="closed")
    assert incident.status == "closed" and incident.closed_at == resolved
    with pytest.raises(IncidentError, match="stays closed"):
        _apply(session, incident, severity="low")
    shown = detail(incident, db_session=session, now=resolved)
    assert {c["name"]: c["state"] for c in shown["clocks"]} == {
        "notification": "met",
        "review": "met",
        f"action #{actions[0].id}": "met",
        f"action #{actions[1].id}": "met",
    }
    assert _kinds(session) == [
        "incident_reported",
        "incident_triage",
        "incident_status",
        "incident_triage",
        "incident_status",
        "incident_status",
        "incident_notified",
        "incident_reviewed",
        "incident_action_added",
        "incident_action_added",
        "incident_action_done",
        "incident_action_done",
        "incident_status",
    ]
    assert ledger.verify(db_session=session).ok


def test_an_event_is_closed_from_triage_without_a_review(session: Session) -> None:
    incident = _report(session, "Suspicious email, not opened")
    _apply(session, incident, kind="event", severity="low", status="triaged")
    _apply(session, incident, status="closed")
    assert incident.status == "closed"


def test_the_review_waits_for_resolution_and_actions_need_a_future_date(session: Session) -> None:
    incident = _report(session)
    with pytest.raises(IncidentError, match="once it is resolved"):
        reviews.record_review(
            incident.id, db_session=session, actor="U", root_cause="r", lessons="l"
        )
    with pytest.raises(IncidentError, match="due date in the future"):
        reviews.add_action(
            incident.id,
            db_session=session,
            actor="U",
            description="d",
            owner="UBOB",
            due_at=NOW - timedelta(days=1),
            now=NOW,
        )
    with pytest.raises(IncidentError, match="not marked as a personal-data breach"):
        record_notification(
            incident.id, db_session=session, actor="U", notified_at=NOW, whom="DPA", now=NOW
        )


def test_timeline_keeps_files_once_and_marks_messages_on_a_closed_incident_late(
    session: Session,
) -> None:
    incident = _report(session)
    upload = FileUpload(name="photo.png", content=b"\x89PNG police report", media_type="image/png")
    message = Message(
        ts="1700000001.000100",
        author="UBOB",
        at=NOW,
        text="Police report filed",
        files=(upload, RefusedFile("huge.mov", "over EVIDENCE_MAX_BYTES")),
    )
    entry = add_message(incident.id, message, db_session=session, max_bytes=1000)
    again = add_message(incident.id, message, db_session=session, max_bytes=1000)
    assert again.id == entry.id and not entry.late
    assert entry.files[0]["name"] == "photo.png"
    assert session.get(Blob, entry.files[0]["sha256"]).content == upload.content  # type: ignore[union-attr]
    assert entry.files[1] == {"name": "huge.mov", "refused": "over EVIDENCE_MAX_BYTES"}
    _apply(session, incident, kind="event", severity="low", status="triaged")
    _apply(session, incident, status="closed")
    late = add_message(
        incident.id,
        Message(ts="1700000009.000100", author="UALICE", at=NOW, text="one more thing"),
        db_session=session,
        max_bytes=1000,
    )
    assert late.late and _kinds(session).count("incident_timeline") == 2
