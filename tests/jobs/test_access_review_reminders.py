"""Access decisions and removal tasks are due items: reminded, escalated to the manager or security."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from bot.blocks.reminders import render
from core.access_reviews import decisions, removals, service
from core.access_reviews.models import AccessAccount, AccessReviewItem
from core.db import Database
from core.models import Outbox
from core.reminders.models import DueItem
from jobs import reminders
from jobs.reminders import ReminderRules
from tests.core.access_reviews.support import import_github, organisation

RULES = ReminderRules(
    default_zone=ZoneInfo("UTC"),
    days_before=7,
    escalate_after=7,
    start_hour=9,
    end_hour=17,
    security_channel="CSEC",
)
START = datetime(2026, 12, 14, 10, tzinfo=UTC)  # a Monday
DUE = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)


def _tick(db: Database, when: datetime) -> int:
    with time_machine.travel(when, tick=False):
        return reminders.tick(when, db=db, client=None, rules=RULES)


def _queued(db: Database, kind: str) -> list[tuple[str, dict[str, Any]]]:
    with db.session_scope() as session:
        rows = session.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id))
        return [(r.recipient, r.payload) for r in rows]


def _item(db: Database, account: str) -> int:
    with db.session_scope() as session:
        return int(
            session.scalars(
                select(AccessReviewItem.id)
                .join(AccessAccount, AccessAccount.id == AccessReviewItem.account_id)
                .where(AccessAccount.account_id == account)
            ).one()
        )


def test_reviewers_are_reminded_and_escalated_and_removals_nudged_until_done(
    database_url: str,
) -> None:
    db = Database(database_url)
    with time_machine.travel(START, tick=False), db.session_scope() as session:
        organisation(session)
        import_github(session)
        service.start(
            db_session=session,
            systems=["github"],
            mode="manager",
            due=DUE,
            created_by="USEC1",
            security=["USEC1"],
            zone=UTC,
        )
    with db.session_scope() as session:
        items = {i.assignee: i for i in session.scalars(select(DueItem))}
    assert set(items) == {"UCAROL", "UDAVE", "UOLGA"}
    assert items["UCAROL"].escalate_to == "UDAVE" and items["UDAVE"].escalate_to is None
    # carol decides her one account: her item closes; the others are reminded.
    with time_machine.travel(START, tick=False), db.session_scope() as session:
        decisions.decide(
            _item(db, "bob-gh"), "keep", user_id="UCAROL", reason="on call", db_session=session
        )
        decisions.decide(_item(db, "eve-gh"), "revoke", user_id="UOLGA", db_session=session)
    assert _tick(db, START) == 0  # schedules the first reminders, a week before the due date
    assert _tick(db, datetime(2026, 12, 28, 10, tzinfo=UTC)) == 3  # dave, olga, olga's removal
    sent = _queued(db, reminders.REMINDER)
    assert sorted(to for to, _ in sent) == ["UDAVE", "UOLGA", "UOLGA"]
    dave = next(p for to, p in sent if to == "UDAVE")
    assert dave["content"]["title"] == "Access review #1 (github)" and dave["content"]["left"] == 3
    message = render(dave, zone=UTC)
    assert "Review accounts" in str(message["blocks"]) and "Snooze" in str(message["blocks"])
    # Seven days after the due date nobody has finished: escalation to the manager, else security.
    _tick(db, datetime(2027, 1, 8, 10, tzinfo=UTC))
    escalations = sorted(to for to, _ in _queued(db, reminders.ESCALATION))
    # dave has no manager (security channel); olga's decisions and her removal go to dave.
    assert escalations == ["CSEC", "UDAVE", "UDAVE"]
    # The removal marked done stops its reminders.
    with db.session_scope() as session:
        (removal,) = removals.open_removals(db_session=session)
        removals.mark_done(removal.id, user_id="UOLGA", is_security=False, db_session=session)
    with db.session_scope() as session:
        open_domains = sorted(
            i.domain for i in session.scalars(select(DueItem).where(DueItem.status == "open"))
        )
    assert open_domains == ["access_decision", "access_decision"]
