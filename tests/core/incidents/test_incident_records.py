"""Incidents in readiness and in the auditor export, checked against the database (both backends)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.config import Settings
from core.db import Database
from core.evidence.export import ExportEmptyError
from core.evidence.service import FileUpload
from core.incidents import reviews, triage
from core.incidents.clocks import record_notification
from core.incidents.service import Report, report
from core.incidents.timeline import Message, add_message
from core.readiness import readiness
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import csv_rows, export_zip, filled_database
from tests.readiness_support import import_register

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime.now(UTC).replace(microsecond=0)
CLOCKS = triage.Clocks(notification_hours=72, review_days=14)
IR_ROW = 'IR-01,Incident management,"A.5.24, A.5.26, CC7.4",alice@example.com,annual,Incident register,yes,,\n'


def _handled(db: Database, *, at: datetime, close: bool) -> int:
    """A breach reported at `at`, triaged, contained, resolved, notified; reviewed and closed if asked."""
    with db.session_scope() as s:
        i = report(
            Report(
                reporter="UALICE",
                description="Customer export sent to the wrong person",
                personal_data=True,
            ),
            db_session=s,
            now=at,
        )
        steps = [
            triage.Change(
                kind="incident",
                severity="high",
                handler="USEC1",
                status="triaged",
                personal_data_breach=True,
            ),
            triage.Change(status="contained"),
            triage.Change(status="resolved"),
        ]
        for step in steps:
            triage.apply(i.id, step, db_session=s, actor="USEC1", clocks=CLOCKS, now=at)
        add_message(
            i.id,
            Message(
                ts="1.1",
                author="USEC1",
                at=at,
                text="Recipient confirmed deletion",
                files=(FileUpload("mail.eml", b"From: x"),),
            ),
            db_session=s,
            max_bytes=1000,
        )
        record_notification(
            i.id,
            db_session=s,
            actor="USEC1",
            notified_at=at + timedelta(hours=80),
            whom="Data protection authority",
            now=at + timedelta(hours=81),
        )
        if close:
            reviews.record_review(
                i.id,
                db_session=s,
                actor="USEC1",
                root_cause="Autocomplete picked the wrong address",
                lessons="Confirm recipients for exports",
                now=at,
            )
            action = reviews.add_action(
                i.id,
                db_session=s,
                actor="USEC1",
                description="Turn off autocomplete",
                owner="UBOB",
                due_at=at + timedelta(days=3),
                now=at,
            )
            reviews.complete_action(
                action.id, db_session=s, actor="UBOB", now=at + timedelta(days=5)
            )
            triage.apply(
                i.id,
                triage.Change(status="closed"),
                db_session=s,
                actor="USEC1",
                clocks=CLOCKS,
                now=at + timedelta(days=5),
            )
        return i.id


def _status(db: Database, catalogue: Catalogue, rid: str, now: datetime):  # type: ignore[no-untyped-def]
    with db.session_scope() as s:
        report_ = readiness(
            db_session=s, catalogue=catalogue, soc2_categories=["security"], zone=UTC_ZONE, now=now
        )
    return next(r for r in report_.requirements if r.id == rid)


def test_readiness_counts_incidents_handled_to_closure_and_shows_overdue_reviews(
    database_url: str, catalogue: Catalogue, tmp_path: Path
) -> None:
    db = Database(database_url)
    import_register(db, catalogue, tmp_path, IR_ROW)
    assert (
        _status(db, catalogue, "A.5.26", NOW).status == "no_evidence"
    )  # no incidents: evidence decides
    _handled(db, at=NOW - timedelta(days=6), close=True)
    assert _status(db, catalogue, "A.5.26", NOW).status == "current"
    _handled(
        db, at=NOW - timedelta(days=20), close=False
    )  # resolved 20 days ago, review due after 14
    overdue = _status(db, catalogue, "CC7.4", NOW)
    assert overdue.status == "overdue" and overdue.due_at == NOW - timedelta(days=6)
    assert overdue.controls[0].note == "post-incident review of INC-2"
    from bot.blocks.readiness import urgent_line

    assert "post-incident review of INC-2" in urgent_line(overdue, UTC_ZONE, mention=False)


def test_the_export_has_a_page_per_incident_and_a_csv_matching_the_database(
    database_url: str, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
    db = filled_database(database_url, catalogue, settings)
    closed = _handled(db, at=NOW - timedelta(days=6), close=True)
    open_ = _handled(db, at=NOW - timedelta(days=2), close=False)
    archive = export_zip(db, catalogue, tmp_path / "audit.zip")
    rows = csv_rows(archive, "incidents.csv")
    with db.session_scope() as s:
        from core.incidents.models import Incident

        stored = {i.ref: i for i in s.query(Incident)}
    assert [r["id"] for r in rows] == [f"INC-{closed}", f"INC-{open_}"]
    for row in rows:
        incident = stored[row["id"]]
        assert int(row["ledger_seq"]) == incident.ledger_seq
        assert (row["status"], row["severity"], row["personal_data_breach"]) == (
            incident.status,
            "high",
            "yes",
        )
    assert rows[0]["notification_clock"] == "missed" and rows[0]["review_clock"] == "met"
    assert (rows[0]["actions"], rows[0]["actions_done"]) == ("1", "1")
    page = archive.read(f"incidents/INC-{closed}.html").decode()
    for shown in (
        "Recipient confirmed deletion",
        "Autocomplete picked the wrong address",
        "Turn off autocomplete",
        "missed",
        "Data protection authority",
    ):
        assert shown in page, shown
    assert 'href="../files/' in page and "incidents.html" in archive.read("index.html").decode()
    manifest = json.loads(archive.read("manifest.json"))
    assert {"incidents.csv", "incidents.html", f"incidents/INC-{open_}.html"} <= set(
        manifest["files"]
    )
    assert any(name.endswith("_mail.eml") for name in archive.namelist())


def test_an_export_of_only_incidents_is_written_and_an_empty_range_still_refused(
    database_url: str, catalogue: Catalogue, tmp_path: Path
) -> None:
    db = Database(database_url)
    _handled(db, at=NOW - timedelta(days=2), close=False)
    archive = export_zip(db, catalogue, tmp_path / "only.zip")
    assert [r["id"] for r in csv_rows(archive, "incidents.csv")] == ["INC-1"]
    with pytest.raises(ExportEmptyError, match="questions or incidents"):
        export_zip(db, catalogue, tmp_path / "none.zip", start=NOW - timedelta(days=1))
