"""Every request Slack sends is acked with 200 in time, on refusals and failures too."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from slack_bolt import Ack

from bot.errors import UserFacingError
from bot.ids import Action
from bot.router import Router
from core.errors import DomainError
from tests.slack_support import assert_acked, block_action, view_submission

REFERENCE = re.compile(r"reference `([0-9A-F]{8})`")


def _reply(fake_slack, count: int = 1) -> str:  # type: ignore[no-untyped-def]
    return str(fake_slack.wait_for("response", count=count)[count - 1].params["text"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("export", "Only the security team"),
        ("campaign list", "Only the security team"),
        ("evidence ZZ-99 the quarterly review", "I don't know a control called `ZZ-99`"),
    ],
)
def test_slash_refusals_are_acked_with_200_in_time(
    slack_app, fake_slack, text: str, expected: str
) -> None:
    # Several times: bolt dropped the ack whenever the listener raised before bolt saw it.
    for attempt in range(1, 4):
        response = slack_app.command(
            text, user="UALICE", response_url=f"{fake_slack.root}/response/{attempt}", expect=None
        )
        assert_acked(response)
        assert expected in _reply(fake_slack, attempt)


def test_button_refusals_are_acked_with_200_in_time(slack_app, fake_slack) -> None:
    for attempt in range(1, 4):
        bad_value = block_action(
            Action.FEEDBACK_UP, "not-a-number", response_url=f"{fake_slack.root}/response/b"
        )
        assert_acked(slack_app.interaction(bad_value, expect=None))
        assert "That button no longer works" in _reply(fake_slack, 2 * attempt - 1)
        accept = block_action(
            Action.ACCEPT_EVIDENCE, "1", user="UALICE", response_url=f"{fake_slack.root}/response/a"
        )
        assert_acked(slack_app.interaction(accept, expect=None))
        assert "Only the security team" in _reply(fake_slack, 2 * attempt)


def test_unexpected_error_is_logged_with_the_reference_the_person_gets(
    slack_app, fake_slack, monkeypatch, caplog
) -> None:
    def broken(self: Router, request: Any, *, as_command: bool = False) -> Any:
        raise RuntimeError("database on fire: secret detail")

    monkeypatch.setattr(Router, "handle", broken)
    with caplog.at_level(logging.ERROR, logger="bot.guard"):
        response = slack_app.command("ask MFA", response_url=fake_slack.root + "/response/1")
        text = _reply(fake_slack)
    assert_acked(response)
    match = REFERENCE.search(text)
    assert match, text
    assert "secret detail" not in text and "Traceback" not in text
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert "database on fire" in str(logged[0].exc_info[1])


def test_event_listener_failure_is_acked_and_told_in_the_channel(
    slack_app, fake_slack, monkeypatch
) -> None:
    def broken(self: Router, request: Any, *, as_command: bool = False) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(Router, "handle", broken)
    mention = {
        "type": "app_mention",
        "user": "UALICE",
        "channel": "CGEN",
        "ts": "1.1",
        "text": "<@UBOT> MFA?",
    }
    slack_app.event(mention)  # asserts 200 in time
    told = fake_slack.wait_for("chat.postEphemeral")[0].params
    assert (told["channel"], told["user"]) == ("CGEN", "UALICE")
    assert REFERENCE.search(told["text"])


def _submission(callback_id: str) -> dict[str, Any]:
    return view_submission(
        callback_id,
        {"first_input": {"value": {"value": "x"}}},
        view_id=f"V-{callback_id}",
        trigger_id="t",
        input_blocks=("first_input",),
    )


def test_any_listener_registered_later_is_guarded_before_and_after_ack(
    slack_app, fake_slack
) -> None:
    app = slack_app.app

    @app.view("test_refused_before_ack")
    def refused_before_ack(ack: Ack) -> None:
        raise UserFacingError("That date is in the past.")

    @app.view("test_failed_before_ack")
    def failed_before_ack() -> None:
        raise KeyError("state")

    @app.action("test_refused_after_ack")
    def refused_after_ack(ack: Ack) -> None:
        ack()
        raise UserFacingError("Not your button.")

    refused = slack_app.interaction(_submission("test_refused_before_ack"))
    assert refused.view_errors() == {"first_input": "That date is in the past."}
    failed = slack_app.interaction(_submission("test_failed_before_ack"))
    assert REFERENCE.search(failed.view_errors()["first_input"])
    slack_app.interaction(
        block_action("test_refused_after_ack", "x", response_url=fake_slack.root + "/response/9")
    )
    assert _reply(fake_slack) == "Not your button."


def test_a_service_domain_error_reaches_the_person_as_its_own_message(
    slack_app, fake_slack
) -> None:
    @slack_app.app.action("test_domain_error")
    def domain_error(ack: Ack) -> None:
        ack()
        raise DomainError("That campaign is closed.")

    slack_app.interaction(
        block_action("test_domain_error", "x", response_url=fake_slack.root + "/response/d")
    )
    assert _reply(fake_slack) == "That campaign is closed."


def test_a_question_with_no_words_is_refused_with_what_to_type(slack_app, fake_slack) -> None:
    response = slack_app.command(
        "ask ?!", user="UALICE", response_url=f"{fake_slack.root}/response/empty", expect=None
    )
    assert_acked(response)
    text = _reply(fake_slack)
    assert "the question is empty" in text and not REFERENCE.search(text)
    slack_app.event(
        {
            "type": "app_mention",
            "user": "UALICE",
            "channel": "CGEN",
            "ts": "2.1",
            "text": "<@UBOT> ask ?",
        }
    )  # asserts 200 in time
    told = fake_slack.wait_for("chat.postEphemeral")[0].params
    assert "the question is empty" in told["text"] and not REFERENCE.search(told["text"])
