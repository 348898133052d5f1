"""What people type after /compliance: any whitespace separates words; numbers too big for an ID."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.slack_text import MAX_ID, first_word, parse_id
from core.models import OrgControl, Question, Submission


def _reply(slack_app, fake_slack, text: str, *, user: str = "USEC1") -> str:  # type: ignore[no-untyped-def]
    count = len(fake_slack.named("response")) + 1
    slack_app.command(text, user=user, response_url=f"{fake_slack.root}/response/{count}")
    return str(fake_slack.wait_for("response", count=count)[count - 1].params["text"])


def test_first_word_splits_at_tabs_and_newlines() -> None:
    assert first_word("campaign\tstatus 3") == ("campaign", "status 3")
    assert first_word("\n ask \t what is\nMFA? ") == ("ask", "what is\nMFA?")
    assert first_word("  ") == ("", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", 3), ("#12", 12), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None)]
    + [("99999999999999999999", None), ("-3", None), ("3.0", None), ("３", None), ("", None)],
)
def test_parse_id_accepts_only_what_can_name_a_row(text: str, expected: int | None) -> None:
    assert parse_id(text) == expected


def test_tabs_and_newlines_separate_subcommand_and_arguments(slack_app, fake_slack) -> None:
    assert "No campaigns yet." in _reply(slack_app, fake_slack, "campaign\tlist")
    assert "No campaigns yet." in _reply(slack_app, fake_slack, "campaign\nlist")
    only_campaign = _reply(slack_app, fake_slack, "help\tcampaign")
    assert "/compliance campaign" in only_campaign and "/compliance ask" not in only_campaign
    assert "There is no campaign 7." in _reply(slack_app, fake_slack, "campaign\n status\t7")


def test_question_after_ask_and_a_tab_is_asked(slack_app, fake_slack, slack_runtime) -> None:
    _reply(slack_app, fake_slack, "ask\twho\nreviews access rights?", user="UALICE")
    with slack_runtime.db.session_scope() as session:
        assert session.scalars(select(Question.text)).one() == "who\nreviews access rights?"


@pytest.mark.parametrize("number", ["99999999999999999999", str(MAX_ID + 1), "#2147483648"])
def test_campaign_number_too_big_for_any_row_is_no_such_campaign(
    slack_app, fake_slack, number: str
) -> None:
    for action in ("status", "remind", "close"):
        text = _reply(slack_app, fake_slack, f"campaign {action} {number}")
        assert f"There is no campaign {number}" in text
        assert "reference" not in text


def test_campaign_argument_that_is_not_a_number_gets_usage(slack_app, fake_slack) -> None:
    text = _reply(slack_app, fake_slack, "campaign status three")
    assert "`three` is not a campaign number" in text
    assert "/compliance campaign" in text


def test_evidence_words_separated_by_tabs_and_newlines(
    slack_app, fake_slack, slack_runtime
) -> None:
    with slack_runtime.db.session_scope() as session:
        session.add(
            OrgControl(
                ref="AC-01",
                title="Access review",
                requirements=[],
                owner="UALICE",
                owner_user_id="UALICE",
                cadence="quarterly",
            )
        )
    text = _reply(slack_app, fake_slack, "evidence\tAC-01\nquarterly review done", user="UALICE")
    assert "Evidence recorded for AC-01" in text
    with slack_runtime.db.session_scope() as session:
        assert session.scalars(select(Submission.text)).one() == "quarterly review done"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("campaign stop 3", "Use one of: start, status, list, remind, close."),
        ("campaign status", "Give the campaign number, e.g. `campaign status 3`."),
        ("campaign remind 424242", "There is no active campaign 424242."),
        (
            "questionnaire answer",
            "Use `/compliance questionnaire help`; send the file to me by DM.",
        ),
        ("export yesterday", "I don't understand `yesterday` here."),
        ("export from 31/12/2026", "'31/12/2026' is not a date: use YYYY-MM-DD"),
        ("report since last week", "'last week' is not a date: use YYYY-MM-DD"),
    ],
)
def test_slash_usage_mistakes_say_what_to_type(
    slack_app, fake_slack, text: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    reply = _reply(slack_app, fake_slack, text)
    assert expected in reply, reply
    assert "reference" not in reply
