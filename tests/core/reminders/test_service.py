"""The due-item service on SQLite and PostgreSQL: open, close, reassign, snooze, list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from core import ledger
from core.db import Database
from core.reminders import service
from core.reminders.models import DueItem
from core.reminders.service import ReminderError
from tests.reminders_support import DOMAIN, DUE

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Database:
    return Database(database_url)


def _open(db: Database, ref_id: int = 1, **kwargs) -> int:  # type: ignore[no-untyped-def]
    kwargs.setdefault("assignee", "UALICE")
    kwargs.setdefault("due_at", DUE)
    with db.session_scope() as session:
        return service.open_item(db_session=session, domain=DOMAIN, ref_id=ref_id, **kwargs).id


def _item(db: Database, item_id: int) -> DueItem:
    with db.session_scope() as session:
        item = session.get(DueItem, item_id)
        assert item is not None
        return item


def test_open_item_is_one_row_per_key_and_updates_assignee_and_due(db: Database) -> None:
    first = _open(db, escalate_to="UMGR", escalate_after_days=3)
    item = _item(db, first)
    assert (item.key, item.status, item.assignee, item.due_at) == (
        f"{DOMAIN}:1",
        "open",
        "UALICE",
        DUE,
    )
    assert (item.escalate_to, item.escalate_after_days, item.next_remind_at) == ("UMGR", 3, None)
    later = DUE + timedelta(days=5)
    assert _open(db, assignee="UBOB", due_at=later) == first
    item = _item(db, first)
    assert (item.assignee, item.due_at) == ("UBOB", later)
    assert _open(db, ref_id=1, key="other:1") != first
    with db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(DueItem)) == 2


def test_days_before_sets_the_first_reminder_and_reopening_keeps_the_schedule(
    db: Database,
) -> None:
    item_id = _open(db, days_before=3)
    assert _item(db, item_id).next_remind_at == DUE - timedelta(days=3)
    _open(db, days_before=10)  # same due date: an idempotent call does not restart reminders
    assert _item(db, item_id).next_remind_at == DUE - timedelta(days=3)
    _open(db, days_before=1, due_at=DUE + timedelta(days=7))
    assert _item(db, item_id).next_remind_at == DUE + timedelta(days=6)


def test_escalate_after_days_below_one_is_refused(db: Database) -> None:
    with pytest.raises(ReminderError, match="at least 1"):
        _open(db, escalate_after_days=0)


def test_close_item_once_then_reopen(db: Database) -> None:
    item_id = _open(db)
    with db.session_scope() as session:
        assert service.close_item(db_session=session, domain=DOMAIN, ref_id=1)
        assert not service.close_item(db_session=session, domain=DOMAIN, ref_id=1)
        assert not service.close_item(db_session=session, domain=DOMAIN, ref_id=99)
        with pytest.raises(ValueError, match="status"):
            service.close_item(db_session=session, domain=DOMAIN, ref_id=1, status="open")
    item = _item(db, item_id)
    assert item.status == "done" and item.closed_at is not None
    assert _open(db) == item_id
    assert _item(db, item_id).status == "open" and _item(db, item_id).closed_at is None
    with db.session_scope() as session:
        service.close_item(db_session=session, domain=DOMAIN, ref_id=1, status="cancelled")
    assert _item(db, item_id).status == "cancelled"


def test_reassign_moves_the_item_and_is_ledgered(db: Database) -> None:
    item_id = _open(db)
    with db.session_scope() as session:
        service.reassign(db_session=session, domain=DOMAIN, ref_id=1, assignee="UBOB")
        kinds = [r.kind for r in session.scalars(select(ledger.LedgerRecord))]
    assert _item(db, item_id).assignee == "UBOB"
    assert kinds == [service.REASSIGNED]
    with db.session_scope() as session, pytest.raises(ReminderError, match="Nothing open"):
        service.reassign(db_session=session, domain=DOMAIN, ref_id=2, assignee="UBOB")


def test_snooze_only_by_the_assignee_for_1_3_or_7_days(db: Database) -> None:
    item_id = _open(db)
    with db.session_scope() as session:
        with pytest.raises(ReminderError, match="Only the person"):
            service.snooze(item_id, 3, db_session=session, user_id="UBOB")
        with pytest.raises(ReminderError, match="1, 3 or 7"):
            service.snooze(item_id, 2, db_session=session, user_id="UALICE")
        with pytest.raises(ReminderError, match="no longer open"):
            service.snooze(item_id + 100, 1, db_session=session, user_id="UALICE")
    with time_machine.travel(NOW, tick=False), db.session_scope() as session:
        done = service.snooze(item_id, 3, db_session=session, user_id="UALICE")
    assert (done.item_id, done.domain, done.ref_id) == (item_id, DOMAIN, 1)
    assert done.until == NOW + timedelta(days=3)
    item = _item(db, item_id)
    assert item.snoozed_until == item.next_remind_at == NOW + timedelta(days=3)
    with db.session_scope() as session:
        assert [r.kind for r in session.scalars(select(ledger.LedgerRecord))] == [service.SNOOZED]
        service.close_item(db_session=session, domain=DOMAIN, ref_id=1)
    with db.session_scope() as session, pytest.raises(ReminderError, match="no longer open"):
        service.snooze(item_id, 1, db_session=session, user_id="UALICE")


def test_open_and_overdue_items_filter_by_person_domain_and_time(db: Database) -> None:
    a = _open(db, 1, due_at=NOW + timedelta(days=2))
    b = _open(db, 2, assignee="UBOB", due_at=NOW - timedelta(days=1))
    with db.session_scope() as session:
        other = service.open_item(
            db_session=session, domain="other", ref_id=1, assignee="UALICE", due_at=NOW
        ).id
    c = _open(db, 3, due_at=NOW - timedelta(days=3))
    with db.session_scope() as session:
        service.close_item(db_session=session, domain=DOMAIN, ref_id=3)
        ids = lambda items: [i.id for i in items]  # noqa: E731
        assert ids(service.open_items(db_session=session)) == [b, other, a]
        assert ids(service.open_items(db_session=session, assignee="UALICE")) == [other, a]
        assert ids(service.open_items(db_session=session, domain=DOMAIN)) == [b, a]
        assert ids(service.overdue_items(db_session=session, now=NOW)) == [b]
        later = NOW + timedelta(days=3)
        assert ids(service.overdue_items(db_session=session, now=later)) == [b, other, a]
        assert ids(service.overdue_items(db_session=session, now=later, domain="other")) == [other]
        assert c not in ids(service.overdue_items(db_session=session, now=later))
