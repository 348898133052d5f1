"""The reminder engine's tick under a frozen clock: before, due, overdue, escalation, hours, zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from core import ledger
from core.db import Database
from core.models import Outbox, Person
from core.reminders import service
from core.reminders.models import DueItem
from jobs import reminders
from jobs.reminders import ReminderRules
from tests.reminders_support import DOMAIN, DUE, Chores

RULES = ReminderRules(
    default_zone=ZoneInfo("UTC"),
    days_before=7,
    escalate_after=7,
    start_hour=9,
    end_hour=17,
    security_channel="CSEC",
)


@pytest.fixture
def db(database_url: str) -> Database:
    db = Database(database_url)
    with db.session_scope() as session:
        session.add(Person(user_id="UALICE", tz="America/New_York"))
        session.add(Person(user_id="ULA", tz="America/Los_Angeles"))
    return db


@pytest.fixture
def chores() -> Chores:
    chores = Chores().register()
    chores.titles = {1: "Water the plants", 2: "Feed the cat"}
    return chores


def _open(db: Database, ref_id: int = 1, **kwargs: Any) -> int:
    kwargs.setdefault("assignee", "UALICE")
    kwargs.setdefault("due_at", DUE)
    with db.session_scope() as session:
        return service.open_item(db_session=session, domain=DOMAIN, ref_id=ref_id, **kwargs).id


def _tick(db: Database, when: datetime, rules: ReminderRules = RULES) -> int:
    with time_machine.travel(when, tick=False):
        return reminders.tick(when, db=db, client=None, rules=rules)


def _queued(db: Database, kind: str = reminders.REMINDER) -> list[tuple[str, dict[str, Any]]]:
    with db.session_scope() as session:
        rows = session.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id))
        return [(row.recipient, row.payload) for row in rows]


def _stages(db: Database) -> list[tuple[str, int]]:
    return [(p["stage"], p["overdue_days"]) for _, p in _queued(db)]


def test_before_due_and_overdue_in_working_hours_of_the_assignees_zone(
    db: Database, chores: Chores
) -> None:
    item_id = _open(db)
    assert _tick(db, datetime(2026, 12, 20, 15, tzinfo=UTC)) == 0  # first reminder on the 24th
    assert _tick(db, datetime(2026, 12, 24, 18, tzinfo=UTC)) == 1  # 13:00 in New York
    assert _tick(db, datetime(2026, 12, 24, 20, tzinfo=UTC)) == 0
    assert _tick(db, datetime(2026, 12, 31, 3, tzinfo=UTC)) == 0  # still the 30th in New York
    assert _tick(db, datetime(2026, 12, 31, 14, 30, tzinfo=UTC)) == 1  # 09:30, the due day
    assert _tick(db, datetime(2027, 1, 1, 15, tzinfo=UTC)) == 1  # one day overdue
    assert _tick(db, datetime(2027, 1, 3, 15, tzinfo=UTC)) == 0  # Sunday: waits for Monday
    assert _tick(db, datetime(2027, 1, 4, 13, 59, tzinfo=UTC)) == 0  # 08:59 Monday
    assert _tick(db, datetime(2027, 1, 4, 14, tzinfo=UTC)) == 1
    assert _tick(db, datetime(2027, 1, 5, 15, tzinfo=UTC)) == 0  # the gaps grow: next on day 7
    assert _stages(db) == [("before", 0), ("due", 0), ("overdue", 1), ("overdue", 4)]
    recipient, payload = _queued(db)[0]
    assert recipient == "UALICE"
    assert payload == {
        "domain": DOMAIN,
        "item_id": item_id,
        "ref_id": 1,
        "assignee": "UALICE",
        "stage": "before",
        "due": DUE.isoformat(),
        "zone": "America/New_York",
        "overdue_days": 0,
        "content": {"title": "Water the plants", "text": ["Do the chore.", "Chore 1"]},
    }
    with db.session_scope() as session:
        item = session.get(DueItem, item_id)
        assert item is not None and item.reminders_sent == 4
        assert item.next_remind_at == datetime(2027, 1, 7, 5, tzinfo=UTC)  # midnight in New York


def test_escalation_once_to_the_security_channel_after_the_default_days(
    db: Database, chores: Chores
) -> None:
    item_id = _open(db)
    _tick(db, datetime(2027, 1, 7, 16, 59, tzinfo=UTC))
    assert _queued(db, reminders.ESCALATION) == []
    _tick(db, datetime(2027, 1, 7, 17, tzinfo=UTC))  # seven days after the due time
    _tick(db, datetime(2027, 1, 8, 17, tzinfo=UTC))
    ((to, payload),) = _queued(db, reminders.ESCALATION)
    assert to == "CSEC" and payload["stage"] == "escalation" and payload["overdue_days"] == 7
    assert payload["content"]["title"] == "Water the plants" and payload["item_id"] == item_id
    with db.session_scope() as session:
        kinds = [r.kind for r in session.scalars(select(ledger.LedgerRecord))]
    assert kinds == [reminders.ESCALATED]


def test_escalation_goes_to_the_items_target_after_its_own_days(
    db: Database, chores: Chores
) -> None:
    _open(db, escalate_to="UMGR", escalate_after_days=2)
    _tick(db, datetime(2027, 1, 2, 17, tzinfo=UTC))  # a Saturday: escalations do not wait
    assert [to for to, _ in _queued(db, reminders.ESCALATION)] == ["UMGR"]


def test_no_target_means_no_escalation_and_it_is_tried_again_later(
    db: Database, chores: Chores
) -> None:
    item_id = _open(db)
    quiet = RULES.__class__(**{**RULES.__dict__, "security_channel": None})
    _tick(db, datetime(2027, 1, 8, 15, tzinfo=UTC), quiet)
    assert _queued(db, reminders.ESCALATION) == []
    with db.session_scope() as session:
        item = session.get(DueItem, item_id)
        assert item is not None and item.escalated_at is None
    _tick(db, datetime(2027, 1, 8, 16, tzinfo=UTC))
    assert len(_queued(db, reminders.ESCALATION)) == 1


def test_a_later_due_date_earns_a_new_escalation(db: Database, chores: Chores) -> None:
    _open(db)
    _tick(db, datetime(2027, 1, 8, 15, tzinfo=UTC))
    _open(db, due_at=DUE + timedelta(days=14))
    _tick(db, datetime(2027, 1, 9, 15, tzinfo=UTC))
    assert len(_queued(db, reminders.ESCALATION)) == 1
    _tick(db, datetime(2027, 1, 22, 15, tzinfo=UTC))
    assert len(_queued(db, reminders.ESCALATION)) == 2


def test_an_assignee_west_of_utc_gets_due_today_on_their_own_due_day(
    db: Database, chores: Chores
) -> None:
    due = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)  # 15:59 on the 31st in Los Angeles
    _open(db, assignee="ULA", due_at=due, days_before=3)
    _tick(db, datetime(2026, 12, 29, 17, tzinfo=UTC))  # 09:00 in Los Angeles
    _tick(db, datetime(2026, 12, 31, 0, 30, tzinfo=UTC))  # 16:30 on the 30th there
    _tick(db, datetime(2026, 12, 31, 17, tzinfo=UTC))
    assert _stages(db) == [("before", 0), ("due", 0)]
    assert {p["zone"] for _, p in _queued(db)} == {"America/Los_Angeles"}


def test_unknown_people_use_the_default_zone(db: Database, chores: Chores) -> None:
    _open(db, assignee="UNEW", days_before=0)
    berlin = RULES.__class__(**{**RULES.__dict__, "default_zone": ZoneInfo("Europe/Berlin")})
    assert _tick(db, datetime(2026, 12, 31, 17, tzinfo=UTC), berlin) == 0  # 18:00 in Berlin
    assert _tick(db, datetime(2027, 1, 1, 8, tzinfo=UTC), berlin) == 1  # 09:00 there
    assert _queued(db)[0][1]["zone"] == "Europe/Berlin"
    assert _stages(db) == [("overdue", 1)]


def test_snooze_holds_reminders_until_it_ends(db: Database, chores: Chores) -> None:
    item_id = _open(db)
    _tick(db, datetime(2026, 12, 24, 18, tzinfo=UTC))
    moment = time_machine.travel(datetime(2026, 12, 28, 15, tzinfo=UTC), tick=False)
    with moment, db.session_scope() as session:
        service.snooze(item_id, 7, db_session=session, user_id="UALICE")
    assert _tick(db, datetime(2026, 12, 31, 15, tzinfo=UTC)) == 0  # due day, but snoozed
    assert _tick(db, datetime(2027, 1, 4, 14, 59, tzinfo=UTC)) == 0
    assert _tick(db, datetime(2027, 1, 4, 15, tzinfo=UTC)) == 1
    assert _stages(db) == [("before", 0), ("overdue", 4)]


def test_a_double_tick_queues_once_and_a_stale_claim_fails(db: Database, chores: Chores) -> None:
    item_id = _open(db)
    when = datetime(2026, 12, 24, 18, tzinfo=UTC)
    _tick(db, datetime(2026, 12, 20, 15, tzinfo=UTC))
    with db.session_scope() as session:  # a second worker that read the row before the first ran
        stale = session.get(DueItem, item_id)
        assert stale is not None
        old = stale.next_remind_at
    assert _tick(db, when) == 1
    assert _tick(db, when) == 0
    with db.session_scope() as session:
        stale = session.get(DueItem, item_id)
        assert stale is not None
        assert not reminders._claim(session, stale, old, when, 1)
    assert len(_queued(db)) == 1


def test_finished_items_are_closed_without_a_message(db: Database, chores: Chores) -> None:
    item_id = _open(db, ref_id=3)  # no title: the chore is already done
    assert _tick(db, datetime(2026, 12, 24, 18, tzinfo=UTC)) == 0
    with db.session_scope() as session:
        item = session.get(DueItem, item_id)
        assert item is not None and item.status == "done" and item.closed_at is not None
    assert _queued(db) == []


def test_one_failing_describer_does_not_stop_the_others(db: Database, chores: Chores) -> None:
    broken = _open(db, ref_id=1)
    _open(db, ref_id=2)
    chores.broken = {1}
    assert _tick(db, datetime(2026, 12, 24, 18, tzinfo=UTC)) == 1
    assert [p["ref_id"] for _, p in _queued(db)] == [2]
    chores.broken = set()
    assert _tick(db, datetime(2026, 12, 24, 19, tzinfo=UTC)) == 1  # retried at the next tick
    with db.session_scope() as session:
        item = session.get(DueItem, broken)
        assert item is not None and item.reminders_sent == 1


def test_closed_items_get_nothing(db: Database, chores: Chores) -> None:
    _open(db)
    with db.session_scope() as session:
        service.close_item(db_session=session, domain=DOMAIN, ref_id=1)
    assert _tick(db, datetime(2027, 1, 8, 15, tzinfo=UTC)) == 0
