"""Incident clocks through the one reminder engine, under a frozen clock (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from bot.blocks.reminders import render
from bot.ids import Action
from core.db import Database
from core.incidents import reviews, triage
from core.incidents.clocks import record_notification
from core.incidents.service import Report, report
from core.models import Outbox
from core.reminders.models import DueItem
from jobs import reminders
from jobs.reminders import ReminderRules

RULES = ReminderRules(ZoneInfo("UTC"), 7, 7, 9, 17, "CSEC")
CLOCKS = triage.Clocks(notification_hours=72, review_days=14, security_channel="CSEC")
AWARE = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def db(database_url: str) -> Database:
    return Database(database_url)


def _tick(db: Database, when: datetime) -> list[tuple[str, str, dict[str, Any]]]:
    """Run the engine at `when`; what it queued then as (kind, recipient, payload)."""
    with db.session_scope() as session:
        before = {row.id for row in session.scalars(select(Outbox))}
    with time_machine.travel(when, tick=False):
        reminders.tick(when, db=db, client=None, rules=RULES)
    with db.session_scope() as session:
        rows = session.scalars(select(Outbox).order_by(Outbox.id))
        return [(r.kind, r.recipient, r.payload) for r in rows if r.id not in before]


def _breach(db: Database) -> int:
    with db.session_scope() as s, time_machine.travel(AWARE, tick=False):
        incident = report(Report(reporter="UALICE", description="Laptop stolen"), db_session=s)
        change = triage.Change(
            kind="incident",
            severity="high",
            handler="UBOB",
            status="triaged",
            personal_data_breach=True,
        )
        triage.apply(incident.id, change, db_session=s, actor="USEC1", clocks=CLOCKS, now=AWARE)
        return incident.id


def test_a_breach_reminds_the_handler_and_the_channel_before_the_72_hours_run_out(
    db: Database,
) -> None:
    incident_id = _breach(db)
    assert _tick(db, AWARE + timedelta(hours=2)) == []
    queued = _tick(db, datetime(2026, 11, 3, 10, 30, tzinfo=UTC))  # two days before the deadline
    assert sorted((kind, to, p["stage"], p["domain"]) for kind, to, p in queued) == [
        ("reminder", "CSEC", "before", "incident_notification"),
        ("reminder", "UBOB", "before", "incident_notification"),
    ]
    handler = next(p for _, to, p in queued if to == "UBOB")
    assert (
        handler["content"]["incident"] == "INC-1" and handler["due"] == "2026-11-05T10:00:00+00:00"
    )
    channel = render(next(p for _, to, p in queued if to == "CSEC"), zone=ZoneInfo("UTC"))
    assert Action.SNOOZE_ITEM not in str(channel["blocks"])  # a channel cannot snooze for everyone
    due_day = _tick(db, datetime(2026, 11, 5, 9, 5, tzinfo=UTC))
    assert {p["stage"] for _, _, p in due_day} == {"due"}
    with db.session_scope() as s:
        record_notification(
            incident_id,
            db_session=s,
            actor="UBOB",
            notified_at=datetime(2026, 11, 5, 9, 30, tzinfo=UTC),
            whom="DPA",
            now=datetime(2026, 11, 5, 9, 30, tzinfo=UTC),
        )
    assert (
        _tick(db, datetime(2026, 11, 9, 10, 0, tzinfo=UTC)) == []
    )  # notified: nothing more, no escalation
    with db.session_scope() as s:
        assert {i.status for i in s.scalars(select(DueItem))} == {"done"}


def test_an_unnotified_breach_is_escalated_to_the_security_channel(db: Database) -> None:
    _breach(db)
    queued = _tick(db, datetime(2026, 11, 6, 11, 0, tzinfo=UTC))  # a day past the deadline
    assert ("reminder_escalation", "CSEC") in {(kind, to) for kind, to, _ in queued}


def test_the_review_and_two_corrective_actions_are_nudged_until_done(db: Database) -> None:
    incident_id = _breach(db)
    resolved = datetime(2026, 11, 4, 12, tzinfo=UTC)
    with db.session_scope() as s:
        record_notification(
            incident_id, db_session=s, actor="UBOB", notified_at=resolved, whom="DPA", now=resolved
        )
        for status in ("contained", "resolved"):
            triage.apply(
                incident_id,
                triage.Change(status=status),
                db_session=s,
                actor="USEC1",
                clocks=CLOCKS,
                now=resolved,
            )
    review_nudge = _tick(
        db, datetime(2026, 11, 16, 12, 30, tzinfo=UTC)
    )  # three days before it is due
    assert [(to, p["domain"], p["stage"]) for _, to, p in review_nudge] == [
        ("UBOB", "incident_review", "before")
    ]
    with db.session_scope() as s:
        reviews.record_review(
            incident_id,
            db_session=s,
            actor="UBOB",
            root_cause="Car",
            lessons="Lock it",
            now=resolved,
        )
        actions = [
            reviews.add_action(
                incident_id,
                db_session=s,
                actor="UBOB",
                description=f"Fix {owner}",
                owner=owner,
                due_at=datetime(2026, 11, 30, 17, tzinfo=UTC),
                now=datetime(2026, 11, 16, 13, tzinfo=UTC),
            ).id
            for owner in ("UCAROL", "UDAN")
        ]
    nudges = _tick(db, datetime(2026, 11, 24, 10, tzinfo=UTC))  # within the week before
    assert sorted((to, p["domain"]) for _, to, p in nudges) == [
        ("UCAROL", "incident_action"),
        ("UDAN", "incident_action"),
    ]
    message = render(nudges[0][2], zone=ZoneInfo("UTC"))
    done = [
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.INCIDENT_ACTION_DONE
    ]
    assert [d["value"] for d in done] == [str(nudges[0][2]["ref_id"])]
    with db.session_scope() as s:
        reviews.complete_action(actions[0], db_session=s, actor="UCAROL")
    late = _tick(db, datetime(2026, 12, 1, 10, tzinfo=UTC))
    assert [(to, p["stage"]) for _, to, p in late] == [("UDAN", "overdue")]
    escalated = _tick(db, datetime(2026, 12, 8, 10, tzinfo=UTC))
    assert ("reminder_escalation", "CSEC", "incident_action") in {
        (k, to, p["domain"]) for k, to, p in escalated
    }
    with db.session_scope() as s:
        reviews.complete_action(actions[1], db_session=s, actor="UDAN")
        triage.apply(
            incident_id, triage.Change(status="closed"), db_session=s, actor="USEC1", clocks=CLOCKS
        )
        assert {i.status for i in s.scalars(select(DueItem))} == {"done"}
    assert _tick(db, datetime(2026, 12, 15, 10, tzinfo=UTC)) == []
