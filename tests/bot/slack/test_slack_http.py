"""The real app over HTTP against the fake Slack Web API, with requests signed as Slack signs them."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select

from bot.ids import Action, Block, Field, View
from core.models import Feedback, ProcessedRequest, Question
from tests.slack_support import (
    answer_marker,
    block_action,
    calls_besides_the_marker,
    is_marker,
    view_submission,
)


def _question_count(runtime) -> int:  # type: ignore[no-untyped-def]
    with runtime.db.session_scope() as session:
        return int(session.scalar(select(func.count(Question.id))) or 0)


def _mention(ts: str, text: str) -> dict[str, str]:
    """Alice mentions the bot in #general."""
    return {
        "type": "app_mention",
        "user": "UALICE",
        "channel": "CGEN",
        "ts": ts,
        "text": f"<@UBOT> {text}",
    }


def _answers_besides_the_marker(fake_slack) -> list:  # type: ignore[no-untyped-def, type-arg]
    return [c for c in fake_slack.named("chat.postMessage") if not is_marker(c)]


def test_mention_is_answered_in_its_thread(slack_app, fake_slack) -> None:
    event = _mention("111.222", "what replaced A.9.2.5?")
    assert slack_app.event(event).status == 200
    call = fake_slack.wait_for("chat.postMessage")[0]
    assert call.params["channel"] == "CGEN"
    assert call.params["thread_ts"] == "111.222"
    assert "A.5.18" in call.params["text"]
    action_ids = [
        e["action_id"]
        for b in call.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert Action.FEEDBACK_UP in action_ids and Action.FEEDBACK_DOWN in action_ids


def test_dm_is_answered_in_the_dm_and_stored(slack_app, fake_slack, slack_runtime) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "UALICE",
        "channel": "DALICE",
        "ts": "5.5",
        "text": "do contractors need security training?",
    }
    slack_app.event(event)
    call = fake_slack.wait_for("chat.postMessage")[0]
    assert call.params["channel"] == "DALICE"
    assert "thread_ts" not in call.params
    with slack_runtime.db.session_scope() as session:
        question = session.scalars(select(Question)).one()
        assert question.surface == "slack_dm" and question.user_id == "UALICE"


def test_bot_messages_edits_and_subtypes_are_ignored(slack_app, fake_slack) -> None:
    base = {"type": "message", "channel_type": "im", "channel": "D1", "ts": "1.0", "text": "hi"}
    slack_app.event({**base, "bot_id": "BBOT", "user": "UBOT"}, event_id="Ev-bot")
    slack_app.event({**base, "subtype": "message_changed", "user": "UALICE"}, event_id="Ev-edit")
    slack_app.event({**base, "subtype": "channel_join", "user": "UALICE"}, event_id="Ev-join")
    answer_marker(slack_app, fake_slack)
    assert _answers_besides_the_marker(fake_slack) == []


def test_retried_event_is_answered_once(slack_app, fake_slack) -> None:
    event = _mention("9.9", "ntp")
    slack_app.event(event, event_id="EvRetry")
    retry = slack_app.event(
        event,
        event_id="EvRetry",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert retry.status == 200
    fake_slack.wait_for("chat.postMessage")
    answer_marker(slack_app, fake_slack)
    assert len(_answers_besides_the_marker(fake_slack)) == 1


def test_duplicate_key_is_shared_across_processes(slack_runtime) -> None:
    from bot.idempotency import claim

    with slack_runtime.db.session_scope() as session:
        assert claim("event:X", db_session=session)
    with slack_runtime.db.session_scope() as session:
        assert not claim("event:X", db_session=session)
        assert session.scalar(select(func.count()).select_from(ProcessedRequest)) == 1


def test_forged_signature_is_refused(slack_app, fake_slack, slack_runtime) -> None:
    event = _mention("1.0", "hi")
    slack_app.event(event, secret="wrong-secret", expect=401)
    slack_app.event(event, sign=False, event_id="Ev2", expect=401)
    answer_marker(slack_app, fake_slack)
    assert calls_besides_the_marker(fake_slack) == []
    assert _question_count(slack_runtime) == 0


def test_stale_timestamp_is_refused(slack_app, fake_slack) -> None:
    event = _mention("1.0", "hi")
    slack_app.event(event, timestamp=int(time.time()) - 6 * 60, expect=401)
    answer_marker(slack_app, fake_slack)
    assert calls_besides_the_marker(fake_slack) == []


def test_slash_ask_answers_ephemerally_with_share_button(slack_app, fake_slack) -> None:
    response = slack_app.command(
        "ask pen test requirements", response_url=fake_slack.root + "/response/1"
    )
    assert response.status == 200
    call = fake_slack.wait_for("response")[0]
    assert call.params["response_type"] == "ephemeral"
    ids = [
        e["action_id"]
        for b in call.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert ids[0] == Action.SHARE_ANSWER


def test_slash_unknown_subcommand_gets_help(slack_app, fake_slack) -> None:
    slack_app.command("frobnicate now", response_url=fake_slack.root + "/response/2")
    call = fake_slack.wait_for("response")[0]
    assert "Unknown subcommand `frobnicate`" in call.params["text"]
    assert "/compliance ask" in call.params["text"]


def test_slash_missing_argument_gets_that_subcommands_help(slack_app, fake_slack) -> None:
    slack_app.command("ask", response_url=fake_slack.root + "/response/3")
    call = fake_slack.wait_for("response")[0]
    assert "Tell me what to look up" in call.params["text"]
    assert "/compliance ask <question>" in call.params["text"]
    assert "/compliance mine" not in call.params["text"]


def test_security_command_from_non_member_is_refused(slack_app, fake_slack, caplog) -> None:
    slack_app.command("report", user="UALICE", response_url=fake_slack.root + "/response/4")
    call = fake_slack.wait_for("response")[0]
    assert "Only the security team" in call.params["text"]
    assert "<@USEC1>" in call.params["text"]
    assert any("refused" in r.getMessage() for r in caplog.records)


def test_security_command_works_for_user_group_member(slack_app, fake_slack) -> None:
    fake_slack.usergroups["SSECGRP"] = ["UBOB"]
    slack_app.command("report", user="UBOB", response_url=fake_slack.root + "/response/5")
    call = fake_slack.wait_for("response")[0]
    assert "Questions asked" in call.params["text"]


def test_escaped_forms_in_command_text_are_parsed(slack_app, fake_slack, slack_runtime) -> None:
    text = "ask does <@U999|bob> in <#C123|eng> need <https://example.com/mfa|our MFA policy>?"
    slack_app.command(text, response_url=fake_slack.root + "/response/6")
    fake_slack.wait_for("response")
    with slack_runtime.db.session_scope() as session:
        stored = session.scalars(select(Question)).one().text
    assert stored == "does U999 in C123 need https://example.com/mfa?"


def test_rate_limited_call_is_retried_after_retry_after(slack_app, fake_slack) -> None:
    fake_slack.fail_next("chat.postMessage", 429, retry_after=1)
    event = _mention("3.3", "MFA")
    slack_app.event(event, event_id="Ev429")
    calls = fake_slack.wait_for("chat.postMessage", count=2)
    assert calls[1].at - calls[0].at >= 0.9


def test_app_home_is_published(slack_app, fake_slack) -> None:
    slack_app.event(
        {"type": "app_home_opened", "user": "USEC1", "tab": "home", "channel": "D1"},
        event_id="EvHome",
    )
    call = fake_slack.wait_for("views.publish")[0]
    assert call.params["user_id"] == "USEC1"
    view = call.params["view"]
    assert view["type"] == "home"
    assert "Security team overview" in json.dumps(view)


def test_feedback_votes_are_recorded(slack_app, fake_slack, slack_runtime) -> None:
    slack_app.command("ask MFA", response_url=fake_slack.root + "/response/7")
    fake_slack.wait_for("response")
    with slack_runtime.db.session_scope() as session:
        qid = session.scalars(select(Question.id)).one()
    slack_app.interaction(block_action(Action.FEEDBACK_UP, str(qid)))
    fake_slack.wait_for("chat.postEphemeral")
    slack_app.interaction(block_action(Action.FEEDBACK_DOWN, str(qid)))
    opened = fake_slack.wait_for("views.open")[0]
    assert opened.params["view"]["callback_id"] == View.FEEDBACK
    comment = {Field.VALUE: {"type": "plain_text_input", "value": "our own MFA policy"}}
    submission = view_submission(
        View.FEEDBACK,
        {Block.FEEDBACK_COMMENT: comment},
        view_id="V9",
        view_hash="h1",
        metadata=str(qid),
        trigger_id="t",
    )
    assert slack_app.interaction(submission).status == 200
    # Recorded before the modal closes; the 👎 with its comment replaces the person's 👍.
    with slack_runtime.db.session_scope() as session:
        votes = list(session.scalars(select(Feedback).order_by(Feedback.id)))
    assert [(v.helpful, v.comment) for v in votes] == [(False, "our own MFA policy")]


def test_votes_on_answers_the_person_was_not_shown_are_refused(
    slack_app, fake_slack, slack_runtime
) -> None:  # type: ignore[no-untyped-def]
    slack_app.command("ask MFA", response_url=fake_slack.root + "/response/7")
    fake_slack.wait_for("response")
    with slack_runtime.db.session_scope() as session:
        question = session.scalars(select(Question)).one()
        qid, asked_in = question.id, question.channel
    for action in (Action.FEEDBACK_UP, Action.FEEDBACK_DOWN):
        slack_app.interaction(
            block_action(
                action,
                str(qid),
                user="UBOB",
                channel="CELSEWHERE",
                response_url=f"{fake_slack.root}/response/{action}",
            )
        )
    refusals = [c.params["text"] for c in fake_slack.wait_for("response", count=3)[1:]]
    assert refusals == ["You can only rate answers that were posted where you are."] * 2
    assert fake_slack.named("views.open") == []
    # Someone in the channel where it was posted may rate it.
    slack_app.interaction(block_action(Action.FEEDBACK_UP, str(qid), user="UBOB", channel=asked_in))
    fake_slack.wait_for("chat.postEphemeral")
    gone = view_submission(
        View.FEEDBACK,
        {Block.FEEDBACK_COMMENT: {Field.VALUE: {"type": "plain_text_input", "value": "x"}}},
        view_id="V10",
        view_hash="h10",
        metadata="987654",
        trigger_id="t",
    )
    # The 👎 modal for a question that is gone stays open and says so (the comment is kept).
    assert list(slack_app.interaction(gone).view_errors().values()) == [
        "I can't find that answer any more; ask the question again."
    ]
    with slack_runtime.db.session_scope() as session:
        votes = [(v.user_id, v.helpful) for v in session.scalars(select(Feedback))]
    assert votes == [("UBOB", True)]


def test_failure_gets_a_reference_and_no_traceback(slack_app, fake_slack) -> None:
    slack_app.interaction(
        block_action(
            Action.FEEDBACK_UP, "not-a-number", response_url=fake_slack.root + "/response/8"
        )
    )
    call = fake_slack.wait_for("response")[0]
    assert "That button no longer works" in call.params["text"]


def test_healthz_reports_ready(slack_app) -> None:
    response = slack_app.get("/healthz")
    assert response.status == 200
    assert json.loads(response.body) == {"ok": True, "database": "ok", "search_index": "ok"}
