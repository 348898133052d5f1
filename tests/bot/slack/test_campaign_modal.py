"""`/compliance campaign start` in Slack: the modal's submission, its checks and its outcome."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from bot.ids import Block, Field, Option, View
from core.models import Campaign, CampaignRecipient
from tests.slack_support import view_submission

QUIZ = """pass_mark: 0.5
questions:
  - question: Where do you report a phishing email?
    choices: ["Reply to it", "The report button"]
    answer: 1
"""


def _submission(user: str = "USEC1", **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        Block.CAMPAIGN_TITLE: {Field.VALUE: {"type": "plain_text_input", "value": "Phishing 2027"}},
        Block.CAMPAIGN_AUDIENCE: {
            Field.VALUE: {"type": "plain_text_input", "value": "usergroup:SENG"}
        },
        Block.CAMPAIGN_DUE: {Field.VALUE: {"type": "datepicker", "selected_date": "2099-01-31"}},
        Block.CAMPAIGN_LINK: {Field.VALUE: {"type": "plain_text_input", "value": None}},
        Block.CAMPAIGN_DOCUMENT: {Field.VALUE: {"type": "file_input", "files": []}},
        Block.CAMPAIGN_QUIZ: {Field.VALUE: {"type": "plain_text_input", "value": None}},
        Block.CAMPAIGN_OPTIONS: {Field.VALUE: {"type": "checkboxes", "selected_options": []}},
    }
    for block, state in fields.items():
        values[Block(block)][Field.VALUE].update(state)
    return view_submission(View.CAMPAIGN, values, user=user, view_id="VC")


def _workspace(fake_slack) -> None:  # type: ignore[no-untyped-def]
    for uid in ("U1", "U2", "UGUEST"):
        fake_slack.add_user(uid, is_restricted=uid == "UGUEST")
    fake_slack.usergroups["SENG"] = ["U1", "U2", "UGUEST"]


def _campaigns(slack_runtime) -> list[Campaign]:  # type: ignore[no-untyped-def]
    with slack_runtime.db.session_scope() as session:
        return list(session.scalars(select(Campaign)))


def test_campaign_started_from_the_modal_with_document_quiz_and_options(
    slack_app, fake_slack, slack_runtime
) -> None:
    _workspace(fake_slack)
    policy = b"Acceptable use policy v4\n"
    fake_slack.files["FDOC"] = (policy, "aup-v4.pdf")
    response = slack_app.interaction(
        _submission(
            campaign_link={"value": "https://intranet.example.com/aup"},
            campaign_document={"files": [{"id": "FDOC", "name": "aup-v4.pdf"}]},
            campaign_quiz={"value": QUIZ},
            campaign_options={
                "selected_options": [{"value": Option.ROLLING}, {"value": Option.INCLUDE_GUESTS}]
            },
        )
    )
    assert (response.status, response.body) == (200, "")
    dm = fake_slack.wait_for("chat.postMessage")[0].params
    assert dm["channel"] == "USEC1" and "started for 3 people" in dm["text"]
    [campaign] = _campaigns(slack_runtime)
    assert campaign.title == "Phishing 2027" and campaign.audience == "usergroup:SENG"
    assert campaign.document_name == "aup-v4.pdf"
    assert campaign.document_sha256 == hashlib.sha256(policy).hexdigest()
    assert campaign.quiz is not None and campaign.quiz["pass_mark"] == 0.5
    assert campaign.rolling and campaign.include_guests
    assert campaign.link == "https://intranet.example.com/aup"
    assert campaign.due_at.strftime("%Y-%m-%d") == "2099-01-31"
    with slack_runtime.db.session_scope() as session:
        people = set(session.scalars(select(CampaignRecipient.user_id)))
    assert people == {"U1", "U2", "UGUEST"}


def test_campaign_modal_points_at_each_wrong_field_and_starts_nothing(
    slack_app, fake_slack, slack_runtime
) -> None:
    _workspace(fake_slack)
    response = slack_app.interaction(
        _submission(
            campaign_title={"value": "  "},
            campaign_audience={"value": "everyone"},
            campaign_due={"selected_date": "2020-01-01"},
            campaign_link={"value": "intranet/aup"},
            campaign_quiz={"value": "questions: [{question: Q, choices: [a, b], answer: 5}]"},
        )
    )
    errors = json.loads(response.body)["errors"]
    assert errors[Block.CAMPAIGN_TITLE] == "Give the campaign a title."
    assert "use all, usergroup:S…" in errors[Block.CAMPAIGN_AUDIENCE]
    assert errors[Block.CAMPAIGN_DUE] == "Pick a date in the future."
    assert "https://" in errors[Block.CAMPAIGN_LINK]
    assert "answer must be the index of a choice" in errors[Block.CAMPAIGN_QUIZ]
    bad_yaml = slack_app.interaction(_submission(campaign_quiz={"value": "questions: [unclosed"}))
    assert "The quiz is not valid YAML" in json.loads(bad_yaml.body)["errors"][Block.CAMPAIGN_QUIZ]
    assert _campaigns(slack_runtime) == []


def test_corrected_form_sent_again_is_handled_but_an_identical_repeat_is_not(
    slack_app, fake_slack, slack_runtime
) -> None:
    _workspace(fake_slack)
    # The same modal (same view id and hash) sent three times: refused, corrected, repeated.
    refused = slack_app.interaction(_submission(campaign_due={"selected_date": "2020-01-01"}))
    assert Block.CAMPAIGN_DUE in json.loads(refused.body)["errors"]
    for _ in range(2):
        assert slack_app.interaction(_submission()).body == ""
    fake_slack.wait_for("chat.postMessage")
    assert len(_campaigns(slack_runtime)) == 1


def test_campaign_modal_is_refused_to_someone_outside_the_security_team(
    slack_app, fake_slack, slack_runtime
) -> None:
    _workspace(fake_slack)
    response = slack_app.interaction(_submission(user="U1"))
    assert "Only the security team" in json.loads(response.body)["errors"][Block.CAMPAIGN_TITLE]
    assert _campaigns(slack_runtime) == []


def test_campaign_whose_audience_cannot_be_resolved_is_reported_by_dm(
    slack_app, fake_slack, slack_runtime
) -> None:
    _workspace(fake_slack)
    response = slack_app.interaction(_submission(campaign_audience={"value": "usergroup:SNOPE"}))
    assert (response.status, response.body) == (200, "")
    dm = fake_slack.wait_for("chat.postMessage")[0].params
    assert dm["channel"] == "USEC1"
    assert "“Phishing 2027” was not started" in dm["text"] and "no_such_subteam" in dm["text"]
    assert _campaigns(slack_runtime) == []


def test_campaign_document_slack_cannot_give_us_is_reported_and_starts_nothing(
    slack_app, fake_slack, slack_runtime
) -> None:
    _workspace(fake_slack)
    response = slack_app.interaction(
        _submission(campaign_document={"files": [{"id": "FGONE", "name": "gone.pdf"}]})
    )
    assert response.status == 200
    dm = fake_slack.wait_for("chat.postMessage")[0].params
    assert "couldn't read that file" in dm["text"] and "file_not_found" in dm["text"]
    assert _campaigns(slack_runtime) == []
