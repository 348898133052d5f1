"""Button values and private_metadata are checked against the clicking user (they can be forged)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.ids import Action, Block, Field, View
from core import ledger
from core.campaigns import service as campaigns
from core.campaigns.quiz import as_dict, load
from core.evidence.service import ensure_request
from core.models import (
    CampaignRecipient,
    OrgControl,
    Question,
    Submission,
    utcnow,
)
from core.reminders import service as reminders
from tests.paths import EXAMPLES
from tests.slack_support import assert_acked, block_action

QUIZ = as_dict(load(EXAMPLES / "quiz.yaml"))
PASS, FAIL = [1, 0, 1], [0, 1, 0]
# Where each person's invitation went (what delivery records on their row).
DMS = {"U1": ("DU1", "100.1"), "U2": ("DU2", "100.2")}


def _start(runtime, fake_slack, *, quiz: dict[str, Any] | None = None) -> int:  # type: ignore[no-untyped-def]
    for user in ("U1", "U2", "U3"):
        fake_slack.add_user(user)
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    with runtime.db.session_scope() as session:
        campaign = campaigns.start(
            client,
            db_session=session,
            title="Acceptable use 2027",
            audience_spec="users:U1,U2",
            due=utcnow() + timedelta(days=14),
            created_by="USEC1",
            reminder_days=3,
            quiz=quiz,
        )
        for row in session.scalars(select(CampaignRecipient)):
            row.channel, row.ts = DMS[row.user_id]
        return campaign.id


def _close(runtime, campaign_id: int) -> None:  # type: ignore[no-untyped-def]
    with runtime.db.session_scope() as session:
        campaigns.close(campaign_id, db_session=session, closed_by="USEC1", security_channel=None)


def _kinds(runtime) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    with runtime.db.session_scope() as session:
        return [
            (r.kind, json.loads(r.payload)) for r in session.scalars(select(ledger.LedgerRecord))
        ]


def _acked(runtime) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    with runtime.db.session_scope() as session:
        rows = session.scalars(select(CampaignRecipient))
        return {r.user_id: r.acknowledged_at is not None for r in rows}


def _click(slack_app, fake_slack, action: str, value: str, user: str, **extra: Any) -> str:  # type: ignore[no-untyped-def]
    count = len(fake_slack.named("response")) + 1
    payload = block_action(action, value, user=user, response_url=fake_slack.root + "/response/x")
    payload.update(extra)
    assert_acked(slack_app.interaction(payload, expect=None))
    return str(fake_slack.wait_for("response", count=count)[count - 1].params["text"])


def test_acknowledge_outside_the_audience_is_refused(slack_app, fake_slack, slack_runtime) -> None:
    campaign_id = _start(slack_runtime, fake_slack)
    text = _click(slack_app, fake_slack, Action.ACKNOWLEDGE, str(campaign_id), "U3")
    assert "not in this campaign's audience" in text
    assert not [k for k, _ in _kinds(slack_runtime) if k == "acknowledgement"]


def test_acknowledge_updates_the_clickers_own_message_not_the_one_named(
    slack_app, fake_slack, slack_runtime
) -> None:
    campaign_id = _start(slack_runtime, fake_slack)
    someone_elses = {"type": "message", "channel_id": "DU1", "message_ts": "100.1"}
    payload = block_action(Action.ACKNOWLEDGE, str(campaign_id), user="U2", channel="DU1")
    payload["container"] = someone_elses
    slack_app.interaction(payload)
    updated = fake_slack.wait_for("chat.update")[0].params
    assert (updated["channel"], updated["ts"]) == DMS["U2"]
    assert _acked(slack_runtime) == {"U1": False, "U2": True}
    record = [p for k, p in _kinds(slack_runtime) if k == "acknowledgement"][0]
    assert (record["user"], record["channel"], record["ts"]) == ("U2", *DMS["U2"])


def test_acknowledgement_after_the_campaign_is_closed_is_refused(
    slack_app, fake_slack, slack_runtime
) -> None:
    campaign_id = _start(slack_runtime, fake_slack)
    _close(slack_runtime, campaign_id)
    text = _click(slack_app, fake_slack, Action.ACKNOWLEDGE, str(campaign_id), "U1")
    assert "is closed; acknowledgements are no longer taken" in text
    assert _acked(slack_runtime) == {"U1": False, "U2": False}


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999999999", "1.5"])
def test_campaign_button_with_a_value_that_is_no_id(
    slack_app, fake_slack, slack_runtime, value: str
) -> None:
    for action in (Action.ACKNOWLEDGE, Action.TAKE_QUIZ):
        assert "That button no longer works" in _click(slack_app, fake_slack, action, value, "U1")


def test_quiz_button_is_checked_against_the_clicker(slack_app, fake_slack, slack_runtime) -> None:
    campaign_id = _start(slack_runtime, fake_slack, quiz=QUIZ)
    text = _click(slack_app, fake_slack, Action.TAKE_QUIZ, str(campaign_id), "U3")
    assert "not in this campaign's audience" in text
    assert fake_slack.named("views.open") == []
    slack_app.interaction(block_action(Action.TAKE_QUIZ, str(campaign_id), user="U1"))
    opened = fake_slack.wait_for("views.open")[0].params["view"]
    assert opened["callback_id"] == View.QUIZ
    _close(slack_runtime, campaign_id)
    text = _click(slack_app, fake_slack, Action.TAKE_QUIZ, str(campaign_id), "U1")
    assert "is closed" in text


def _quiz(slack_app, user: str, metadata: str, choices: list[Any]):  # type: ignore[no-untyped-def]
    values = {
        f"{Block.QUIZ_QUESTION}{i}": {
            Field.VALUE: {"type": "radio_buttons", "selected_option": {"value": str(c)}}
        }
        for i, c in enumerate(choices)
    }
    view = {
        "id": f"VQ-{user}-{metadata}-{choices}",
        "type": "modal",
        "hash": "h",
        "callback_id": View.QUIZ,
        "private_metadata": metadata,
        "blocks": [{"type": "input", "block_id": f"{Block.QUIZ_QUESTION}0"}],
        "state": {"values": values},
    }
    submission = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user}}
    return slack_app.interaction({**submission, "api_app_id": "A1", "view": view})


def test_quiz_for_a_campaign_the_person_is_not_in_writes_nothing(
    slack_app, fake_slack, slack_runtime
) -> None:
    campaign_id = _start(slack_runtime, fake_slack, quiz=QUIZ)
    before = _kinds(slack_runtime)
    for choices in (FAIL, PASS):
        errors = _quiz(slack_app, "U3", f"{campaign_id}||", choices).view_errors()
        assert "not in this campaign's audience" in errors[f"{Block.QUIZ_QUESTION}0"]
    assert _kinds(slack_runtime) == before


def test_quiz_answer_that_is_not_a_choice_gets_a_message_and_writes_nothing(
    slack_app, fake_slack, slack_runtime
) -> None:
    campaign_id = _start(slack_runtime, fake_slack, quiz=QUIZ)
    before = _kinds(slack_runtime)
    errors = _quiz(slack_app, "U1", f"{campaign_id}||", [1, "zero", 1]).view_errors()
    assert errors == {f"{Block.QUIZ_QUESTION}1": "Pick one of the answers shown."}
    errors = _quiz(slack_app, "U1", "not-a-campaign||", PASS).view_errors()
    assert "That quiz no longer works" in errors[f"{Block.QUIZ_QUESTION}0"]
    assert _kinds(slack_runtime) == before and _acked(slack_runtime)["U1"] is False


def test_quiz_after_close_is_refused_and_a_pass_updates_only_the_own_message(
    slack_app, fake_slack, slack_runtime
) -> None:
    campaign_id = _start(slack_runtime, fake_slack, quiz=QUIZ)
    # U2's metadata names U1's invitation: the pass is U2's and so is the message marked done.
    assert _quiz(slack_app, "U2", f"{campaign_id}|DU1|100.1", PASS).body == ""
    updated = fake_slack.wait_for("chat.update")[0].params
    assert (updated["channel"], updated["ts"]) == DMS["U2"]
    _close(slack_runtime, campaign_id)
    errors = _quiz(slack_app, "U1", f"{campaign_id}||", PASS).view_errors()
    assert "is closed" in errors[f"{Block.QUIZ_QUESTION}0"]
    assert _acked(slack_runtime) == {"U1": False, "U2": True}


@pytest.fixture
def request_of_alice(slack_runtime) -> int:  # type: ignore[no-untyped-def]
    """An open evidence request for AC-01, owned by UALICE."""
    with slack_runtime.db.session_scope() as session:
        control = OrgControl(
            ref="AC-01",
            title="Access review",
            requirements=[],
            owner="alice@example.com",
            owner_user_id="UALICE",
            cadence="quarterly",
        )
        session.add(control)
        session.flush()
        return ensure_request(control, utcnow(), slack_runtime.settings.zone, db_session=session).id


def _snoozed(runtime, request_id: int):  # type: ignore[no-untyped-def]
    with runtime.db.session_scope() as session:
        # The reminder state lives on the request's due item of the reminder engine.
        item = reminders.find(db_session=session, domain="evidence_request", ref_id=request_id)
        return item.snoozed_until if item else None


def test_snooze_only_the_clickers_own_request(
    slack_app, fake_slack, slack_runtime, request_of_alice: int
) -> None:
    value = f"{request_of_alice}:7"
    assert "Only the owner of AC-01" in _click(slack_app, fake_slack, Action.SNOOZE, value, "UBOB")
    assert _snoozed(slack_runtime, request_of_alice) is None
    for bad in ("x:7", f"{request_of_alice}:2", f"{request_of_alice}", "99999999999999999999:1"):
        assert "no longer works" in _click(slack_app, fake_slack, Action.SNOOZE, bad, "UALICE")
    slack_app.interaction(block_action(Action.SNOOZE, value, user="UALICE", channel="DALICE"))
    assert fake_slack.wait_for("chat.update")[0].params["text"].startswith("Snoozed")
    assert _snoozed(slack_runtime, request_of_alice) is not None


def _asked(slack_app, fake_slack, runtime) -> int:  # type: ignore[no-untyped-def]
    slack_app.command("ask MFA", user="UALICE", response_url=fake_slack.root + "/response/a")
    fake_slack.wait_for("response")
    with runtime.db.session_scope() as session:
        return int(session.scalars(select(Question.id)).one())


def test_share_only_the_clickers_own_answer_into_the_channel_it_was_asked_in(
    slack_app, fake_slack, slack_runtime
) -> None:
    question_id = _asked(slack_app, fake_slack, slack_runtime)
    value = str(question_id)
    text = _click(slack_app, fake_slack, Action.SHARE_ANSWER, value, "UBOB")
    assert "only share answers to questions you asked" in text
    elsewhere = {"channel": {"id": "CPRIVATE"}}
    text = _click(slack_app, fake_slack, Action.SHARE_ANSWER, value, "UALICE", **elsewhere)
    assert "only share an answer into the channel it was asked in" in text
    assert fake_slack.named("chat.postMessage") == []
    slack_app.interaction(block_action(Action.SHARE_ANSWER, value, user="UALICE"))
    assert fake_slack.wait_for("chat.postMessage")[0].params["channel"] == "CGEN"


def test_confirm_only_a_file_the_clicker_shared(
    slack_app, fake_slack, slack_runtime, request_of_alice: int
) -> None:
    fake_slack.add_file("FBOB", b"bob's private notes", "notes.pdf", user="UBOB", ims=("DUBOB",))
    text = _click(
        slack_app,
        fake_slack,
        Action.CONFIRM_CONTROL,
        "FBOB|AC-01",
        "UALICE",
        channel={"id": "DALICE"},
    )
    assert "only take a file you shared with me yourself" in text
    with slack_runtime.db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 0
    assert not [c for c in fake_slack.calls if c.method == "GET /files/FBOB"]
    # Shared into the clicker's own DM by someone else (forwarded): theirs to hand in.
    fake_slack.add_file("FFWD", b"forwarded policy", "policy.pdf", user="UBOB", ims=("DALICE",))
    text = _click(
        slack_app,
        fake_slack,
        Action.CONFIRM_CONTROL,
        "FFWD|AC-01",
        "UALICE",
        channel={"id": "DALICE"},
    )
    assert "Evidence recorded for AC-01" in text


def test_app_home_offers_the_quiz_when_one_is_required(
    slack_app, fake_slack, slack_runtime
) -> None:
    _start(slack_runtime, fake_slack, quiz=QUIZ)
    slack_app.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="EvHomeQ")
    view = fake_slack.wait_for("views.publish")[0].params["view"]
    buttons = [
        b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("type") == "button"
    ]
    assert [(b["action_id"], b["text"]["text"]) for b in buttons] == [
        (Action.TAKE_QUIZ, "Take the quiz")
    ]


@pytest.mark.parametrize(
    ("action", "value", "expected"),
    [
        (Action.ACKNOWLEDGE, "424242", "That campaign no longer exists."),
        (Action.SNOOZE, "424242:3", "That evidence request no longer exists."),
        (Action.SUBMIT_EVIDENCE, "424242", "That evidence request no longer exists."),
        (Action.SUBMIT_EVIDENCE, "abc", "That button no longer works"),
        (
            Action.SHARE_ANSWER,
            "424242",
            "I can't find that answer any more; ask the question again.",
        ),
        (Action.SHARE_ANSWER, "abc", "That button no longer works; ask the question again."),
        (
            Action.FEEDBACK_UP,
            "424242",
            "I can't find that answer any more; ask the question again.",
        ),
        (
            Action.FEEDBACK_DOWN,
            "424242",
            "I can't find that answer any more; ask the question again.",
        ),
    ],
)
def test_buttons_naming_rows_that_are_gone_say_so_and_change_nothing(
    slack_app, fake_slack, slack_runtime, action: str, value: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    assert expected in _click(slack_app, fake_slack, action, value, "UALICE")
    assert fake_slack.named("views.open") == []
    assert fake_slack.named("chat.update") == [] and fake_slack.named("chat.postMessage") == []
    assert _kinds(slack_runtime) == []


def test_take_the_quiz_on_a_campaign_without_one_is_refused(
    slack_app, fake_slack, slack_runtime
) -> None:  # type: ignore[no-untyped-def]
    campaign_id = _start(slack_runtime, fake_slack)
    text = _click(slack_app, fake_slack, Action.TAKE_QUIZ, str(campaign_id), "U1")
    assert text == "That campaign has no quiz any more."
    assert fake_slack.named("views.open") == []


def test_take_the_quiz_again_after_acknowledging_says_when(
    slack_app, fake_slack, slack_runtime
) -> None:  # type: ignore[no-untyped-def]
    campaign_id = _start(slack_runtime, fake_slack, quiz=QUIZ)
    with slack_runtime.db.session_scope() as session:
        row = session.scalars(select(CampaignRecipient).where(CampaignRecipient.user_id == "U1"))
        row.one().acknowledged_at = utcnow()
        today = utcnow().astimezone(slack_runtime.settings.zone).date().isoformat()
    text = _click(slack_app, fake_slack, Action.TAKE_QUIZ, str(campaign_id), "U1")
    assert text == (
        f"You already acknowledged “Acceptable use 2027” on {today}; nothing more is needed."
    )
    assert fake_slack.named("views.open") == []
