"""Slash commands are acked in time even when every listener thread is busy with a slow Slack."""

from __future__ import annotations

import pytest

from tests.slack_support import assert_acked, fast_app

# Each answer takes Slack this long to accept, so mentions keep bolt's five listener threads busy.
POST_DELAY_S = 1.0
MENTIONS = 30


@pytest.fixture
def slack_app(slack_settings):  # type: ignore[no-untyped-def]
    """The app on the fake Slack with the fake embedder (these tests are about Slack's faults)."""
    server = fast_app(slack_settings)
    yield server
    server.close()


def test_commands_queued_behind_busy_listeners_are_acked_within_3_s(slack_app, fake_slack) -> None:
    fake_slack.delays["chat.postMessage"] = POST_DELAY_S
    for n in range(MENTIONS):
        event = {
            "type": "app_mention",
            "user": "UALICE",
            "channel": "CGEN",
            "ts": f"{n}.1",
            "text": "<@UBOT> help",
        }
        slack_app.event(event, event_id=f"EvBusy{n}")
    for n in range(5):
        response = slack_app.command(
            "help", response_url=f"{fake_slack.root}/response/busy{n}", expect=None
        )
        assert_acked(response)  # 200 within Slack's 3 s, though the listeners are all busy
    # Each command is still answered once a listener thread is free.
    assert len(fake_slack.wait_for("response", count=5, timeout=60)) == 5
