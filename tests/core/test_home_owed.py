"""App Home's "What you owe": the viewer's open due items, worded by each domain's describer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from bot.blocks.home import home_blocks, mine_text
from core.db import Database
from core.home import home_for
from core.reminders import service
from tests.reminders_support import DOMAIN, DUE, Chores

NOW = datetime(2027, 1, 2, 12, tzinfo=UTC)


def test_what_you_owe_lists_open_items_of_the_viewer_only(database_url: str) -> None:
    Chores().register().titles = {1: "Water the plants", 2: "Feed the cat"}
    db = Database(database_url)
    with db.session_scope() as session:
        for ref_id, who, due in [
            (1, "UALICE", DUE),  # overdue at NOW
            (2, "UALICE", DUE + timedelta(days=9)),
            (3, "UALICE", DUE),  # finished: its describer says None
            (1, "UBOB", DUE),  # someone else's
        ]:
            key = f"{DOMAIN}:{ref_id}:{who}"
            service.open_item(
                db_session=session, domain=DOMAIN, ref_id=ref_id, assignee=who, due_at=due, key=key
            )
        service.open_item(
            db_session=session, domain="evidence_request", ref_id=99, assignee="UALICE", due_at=DUE
        )
        service.open_item(
            db_session=session, domain="nobody", ref_id=1, assignee="UALICE", due_at=DUE
        )
    with time_machine.travel(NOW, tick=False), db.session_scope() as session:
        model = home_for("UALICE", is_security=False, db_session=session)
    assert [(o.title, o.overdue) for o in model.owed] == [
        ("Water the plants", True),
        ("Feed the cat", False),
    ]
    zone = ZoneInfo("UTC")
    text = str(home_blocks(model, zone))
    assert "*What you owe*" in text and ":red_circle: overdue" in text and "due 2027-01-09" in text
    assert "Nothing waiting" not in text
    mine = mine_text(model, zone)
    assert "  - Water the plants: OVERDUE" in mine and "  - Feed the cat: due 2027-01-09" in mine


def test_nothing_owed_means_no_section(database_url: str) -> None:
    db = Database(database_url)
    with db.session_scope() as session:
        model = home_for("UALICE", is_security=False, db_session=session)
    assert model.owed == []
    text = str(home_blocks(model, ZoneInfo("UTC")))
    assert "What you owe" not in text and "Nothing waiting for you" in text
