"""The reminder engine's Snooze buttons through signed HTTP: only the assignee may snooze."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.ids import Action
from bot.runtime import Runtime
from core.models import utcnow
from core.reminders import service
from core.reminders.models import DueItem
from tests.fakes import FakeEmbedder
from tests.reminders_support import DOMAIN, Chores
from tests.slack_support import SlackAppServer, assert_acked, block_action


@pytest.fixture
def runtime(slack_settings) -> Runtime:  # type: ignore[no-untyped-def]
    return Runtime(slack_settings, embedder=FakeEmbedder())


@pytest.fixture
def server(runtime: Runtime) -> Iterator[SlackAppServer]:
    app = SlackAppServer(runtime)
    yield app
    app.close()


@pytest.fixture
def item_of_alice(runtime: Runtime) -> int:
    Chores().register().titles = {}
    with runtime.db.session_scope() as session:
        item = service.open_item(
            db_session=session,
            domain=DOMAIN,
            ref_id=1,
            assignee="UALICE",
            due_at=utcnow() + timedelta(days=10),
        )
        return item.id


def _click(server: SlackAppServer, fake_slack: Any, value: str, user: str) -> str:
    """Click Snooze as user; the reply the shared error path sent to the response URL."""
    count = len(fake_slack.named("response")) + 1
    url = fake_slack.root + "/response/x"
    payload = block_action(Action.SNOOZE_ITEM, value, user=user, response_url=url)
    assert_acked(server.interaction(payload, expect=None))
    return str(fake_slack.wait_for("response", count=count)[count - 1].params["text"])


def _snoozed(runtime: Runtime, item_id: int) -> datetime | None:
    with runtime.db.session_scope() as session:
        item = session.get(DueItem, item_id)
        assert item is not None
        return item.snoozed_until


def test_only_the_assignee_may_snooze(
    server: SlackAppServer, fake_slack, runtime: Runtime, item_of_alice: int
) -> None:
    forged = f"{item_of_alice}:7"
    assert "Only the person this reminder is for" in _click(server, fake_slack, forged, "UBOB")
    assert _snoozed(runtime, item_of_alice) is None
    for bad in ("x:7", f"{item_of_alice}:2", f"{item_of_alice}", "99999999999999999999:1"):
        assert "no longer works" in _click(server, fake_slack, bad, "UALICE")
    assert "no longer open" in _click(server, fake_slack, f"{item_of_alice + 50}:1", "UALICE")
    response = server.interaction(
        block_action(Action.SNOOZE_ITEM, forged, user="UALICE", channel="DALICE")
    )
    assert_acked(response)
    update = fake_slack.wait_for("chat.update")[0].params
    day = f"{utcnow() + timedelta(days=7):%Y-%m-%d}"
    assert update["channel"] == "DALICE" and update["text"] == (
        f"Snoozed: I'll remind you again on {day}."
    )
    assert _snoozed(runtime, item_of_alice) is not None
