"""Evidence requests as due items: synced from the register, closed on hand-in, legacy state kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.db import Database
from core.evidence import reminders as evidence
from core.evidence.service import ensure_request, review, submit
from core.models import EvidenceRequest, OrgControl
from core.reminders import registry
from core.reminders import service as reminders
from core.reminders.models import DueItem

NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture
def db(database_url: str) -> Database:
    return Database(database_url)


def _control(db: Database, **kwargs: object) -> tuple[int, int]:
    """A quarterly control owned by UALICE (unless kwargs say otherwise) and its Q4 request."""
    fields: dict[str, object] = {
        "ref": "AC-01",
        "title": "Access review",
        "requirements": [],
        "owner": "alice@example.com",
        "owner_user_id": "UALICE",
        "manager_user_id": "UMGR",
        "cadence": "quarterly",
        "expected_evidence": "Signed export",
    }
    fields.update(kwargs)
    with db.session_scope() as session:
        control = OrgControl(**fields)
        session.add(control)
        session.flush()
        return control.id, ensure_request(control, NOW, UTC_ZONE, db_session=session).id


def _item(db: Database, request_id: int) -> DueItem | None:
    with db.session_scope() as session:
        return reminders.find(db_session=session, domain=evidence.DOMAIN, ref_id=request_id)


def _sync(db: Database, days_before: int = 7) -> None:
    with db.session_scope() as session:
        evidence.sync(db_session=session, days_before=days_before)


def test_sync_opens_one_item_per_open_request_with_owner_manager_and_due(db: Database) -> None:
    _, request_id = _control(db)
    _sync(db)
    _sync(db)
    item = _item(db, request_id)
    assert item is not None and item.status == "open"
    assert (item.assignee, item.escalate_to) == ("UALICE", "UMGR")
    with db.session_scope() as session:
        request = session.get(EvidenceRequest, request_id)
        assert request is not None
        assert item.due_at == request.due_at
        assert item.next_remind_at == request.due_at - timedelta(days=7)
        content = registry.describe(item, db_session=session)
    assert content is not None and content["title"] == "Evidence for AC-01 Access review (2026-Q4)"
    assert content["text"] == ["Expected: Signed export"] and content["owner"] == "<@UALICE>"


def test_the_first_reminder_never_comes_before_the_period_starts(db: Database) -> None:
    _, request_id = _control(db, cadence="monthly")
    _sync(db, days_before=60)
    item = _item(db, request_id)
    with db.session_scope() as session:
        request = session.get(EvidenceRequest, request_id)
        assert request is not None and item is not None
        assert item.next_remind_at is not None
        assert item.next_remind_at >= request.period_start


def test_hand_in_closes_the_item_and_a_rejection_reopens_it(db: Database) -> None:
    control_id, request_id = _control(db)
    _sync(db)
    with time_machine.travel(NOW, tick=False), db.session_scope() as session:
        control = session.get(OrgControl, control_id)
        assert control is not None
        submit(
            [control],
            db_session=session,
            submitted_by="UALICE",
            text="done",
            zone=UTC_ZONE,
            max_bytes=1000,
        )
    item = _item(db, request_id)
    assert item is not None and item.status == "done"
    _sync(db)
    assert _item(db, request_id).status == "done"  # type: ignore[union-attr]
    with db.session_scope() as session:
        review(request_id, accept=False, reviewer="USEC1", comment="unsigned", db_session=session)
    _sync(db)
    assert _item(db, request_id).status == "open"  # type: ignore[union-attr]


def test_an_out_of_scope_control_closes_its_item_and_the_describer_agrees(db: Database) -> None:
    control_id, request_id = _control(db)
    _sync(db)
    with db.session_scope() as session:
        control = session.get(OrgControl, control_id)
        assert control is not None
        control.applicable = False
        item = reminders.find(db_session=session, domain=evidence.DOMAIN, ref_id=request_id)
        assert item is not None and registry.describe(item, db_session=session) is None
    _sync(db)
    assert _item(db, request_id).status == "done"  # type: ignore[union-attr]


def test_requests_nudged_before_the_engine_carry_on_where_they_were(db: Database) -> None:
    _, request_id = _control(db)
    escalated = NOW - timedelta(days=1)
    with db.session_scope() as session:
        request = session.get(EvidenceRequest, request_id)
        assert request is not None
        request.next_nudge_at, request.nudges_sent = NOW + timedelta(days=2), 3
        request.snoozed_until, request.escalated_at = NOW + timedelta(days=2), escalated
    _sync(db)
    item = _item(db, request_id)
    assert item is not None
    assert (item.next_remind_at, item.reminders_sent) == (NOW + timedelta(days=2), 3)
    assert (item.snoozed_until, item.escalated_at) == (NOW + timedelta(days=2), escalated)


def test_an_owner_not_in_slack_gets_an_item_without_assignee(db: Database) -> None:
    _, request_id = _control(db, owner="Bob Builder", owner_user_id=None)
    _sync(db)
    item = _item(db, request_id)
    assert item is not None and item.assignee == ""
    with db.session_scope() as session:
        content = registry.describe(item, db_session=session)
    assert content is not None and content["owner"] == "Bob Builder"


def test_snooze_request_checks_owner_days_and_status(db: Database) -> None:
    control_id, request_id = _control(db)
    with db.session_scope() as session:
        with pytest.raises(evidence.SnoozeError, match="Only the owner of AC-01"):
            evidence.snooze_request(request_id, 3, db_session=session, user_id="UBOB")
        with pytest.raises(evidence.SnoozeError, match="1, 3 or 7"):
            evidence.snooze_request(request_id, 5, db_session=session, user_id="UALICE")
        with pytest.raises(evidence.SnoozeError, match="no longer exists"):
            evidence.snooze_request(request_id + 9, 3, db_session=session, user_id="UALICE")
    with time_machine.travel(NOW, tick=False), db.session_scope() as session:
        done = evidence.snooze_request(request_id, 3, db_session=session, user_id="UALICE")
    assert done.until == NOW + timedelta(days=3)
    assert _item(db, request_id).snoozed_until == done.until  # type: ignore[union-attr]
    with db.session_scope() as session:
        request = session.get(EvidenceRequest, request_id)
        assert request is not None
        request.status = "accepted"
    with db.session_scope() as session, pytest.raises(evidence.SnoozeError, match="already in"):
        evidence.snooze_request(request_id, 3, db_session=session, user_id="UALICE")
