"""Questionnaires in Slack over signed HTTP against the fake Slack: answer, review, approve, re-run."""

from __future__ import annotations

import inspect
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.ids import Action, Block, Field, View
from bot.runtime import Runtime
from core.models import LedgerRecord, LibraryEntry, QuestionnaireItem, QuestionnaireRun
from knowledge.search import Searcher
from tests.fake_slack import Call, FakeSlack
from tests.questionnaire_support import ADDED, fake_searcher, import_examples, xlsx
from tests.slack_support import SlackAppServer, block_action, send_dm, wait_until


def _wired() -> bool:
    """Whether the DM flow and the review listeners are registered (wired in after issue 11's listener work)."""
    from bot.listeners import actions, events, views

    sources = [inspect.getsource(m) for m in (actions, views, events.message_im)]
    return all("questionnaire" in source for source in sources)


pytestmark = pytest.mark.skipif(
    not _wired(), reason="questionnaire listeners are not registered in bot/listeners yet"
)

QUESTIONS = xlsx(
    [
        ["ID", "Question"],
        ["1", "Do you have a SOC 2 report?"],
        ["2", "Describe your incident response process."],
        ["3", "How often are access rights reviewed?"],
    ]
)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    return fake_searcher(tmp_path_factory.mktemp("qslack"))


@pytest.fixture
def app(slack_settings, searcher: Searcher) -> Iterator[SlackAppServer]:  # type: ignore[no-untyped-def]
    runtime = Runtime(slack_settings, embedder=searcher.embedder)
    runtime.__dict__["catalogue"] = searcher.catalogue  # the example policies as KNOWLEDGE_DIR
    runtime._searcher = searcher
    import_examples(runtime.db, searcher.catalogue)
    server = SlackAppServer(runtime)
    yield server
    server.close()


def _replies(fake: FakeSlack, channel: str) -> list[Call]:
    """The bot's messages and ephemeral replies in one conversation."""
    return [
        c
        for c in fake.calls
        if c.method in {"chat.postEphemeral", "chat.postMessage"}
        and c.params.get("channel") == channel
    ]


def _dm(
    app: SlackAppServer,
    fake: FakeSlack,
    text: str,
    *,
    user: str = "USEC1",
    event_id: str = "EvQ1",
    content: bytes = QUESTIONS,
) -> str:
    file_id = f"F{event_id}"
    fake.add_file(file_id, content, "acme-questionnaire.xlsx")
    ts = f"{int(time.time())}.{event_id[-1]}00100"
    files = [{"id": file_id, "name": "acme-questionnaire.xlsx"}]
    send_dm(app, text, user=user, files=files, event_id=event_id, ts=ts)
    return ts


def _uploads(fake: FakeSlack, count: int = 1) -> list[Call]:
    return fake.wait_for("files.completeUploadExternal", count, timeout=20)


def _uploaded_book(fake: FakeSlack, index: int = -1):  # type: ignore[no-untyped-def]
    raw = fake.named("upload")[index].params["_raw"]
    start = raw.find(b"PK\x03\x04")
    return load_workbook(io.BytesIO(raw[start:]))


def _review_messages(fake: FakeSlack, ts: str) -> list[dict[str, Any]]:
    return [
        c.params
        for c in fake.named("chat.postMessage")
        if c.params.get("thread_ts") == ts and c.params.get("blocks")
    ]


def _button(message: dict[str, Any], action: str, row: int) -> str:
    blocks = message["blocks"]
    for n, block in enumerate(blocks):
        if block["type"] == "section" and block["text"]["text"].startswith(f"*Row {row}*"):
            for later in blocks[n:]:
                if later["type"] == "actions":
                    return next(e["value"] for e in later["elements"] if e["action_id"] == action)
    raise AssertionError(f"no {action} button for row {row}")


def _click(
    app: SlackAppServer,
    message: dict[str, Any],
    action: str,
    row: int,
    *,
    user: str = "USEC1",
    ts: str,
    response_url: str | None = None,
) -> None:
    payload = block_action(
        action,
        _button(message, action, row),
        user=user,
        channel=message["channel"],
        response_url=response_url,
    )
    payload["message"] = {"ts": "1700000099.000100", "thread_ts": ts, "blocks": message["blocks"]}
    payload["container"]["message_ts"] = "1700000099.000100"
    app.interaction(payload)  # asserts 200 within Slack's 3 s


def test_answered_in_a_thread_reviewed_approved_and_reused_on_a_rerun(
    app: SlackAppServer, fake_slack: FakeSlack
) -> None:
    ts = _dm(app, fake_slack, "Acme sent their vendor questionnaire")
    complete = _uploads(fake_slack)[0].params
    assert complete["channel_id"] == "DSEC1" and complete["thread_ts"] == ts
    assert (
        "3 questions: 1 approved from the library, 2 suggested, 0 need review"
        in complete["initial_comment"]
    )
    assert complete["initial_comment"].endswith(
        "Used sheet 'Questions': header row 1, ID A 'ID', question B 'Question', "
        "answer columns appended; 3 questions"
    )
    book = _uploaded_book(fake_slack)
    sheet = book["Questions"]
    assert [c.value for c in sheet[1]] == ["ID", "Question", *ADDED]
    assert [sheet.cell(r, 4).value for r in (2, 3, 4)] == ["approved", "suggested", "suggested"]
    assert [c.value for c in book["Cover"][1]] == ["Prepared for", "Example Customer"]
    message = wait_until(lambda: _review_messages(fake_slack, ts))[0]
    assert "*Row 3*" in json.dumps(message["blocks"]) and "*Row 2*" not in json.dumps(
        message["blocks"]
    )
    _click(app, message, Action.QUESTIONNAIRE_APPROVE, 4, ts=ts)
    note = wait_until(
        lambda: [
            c
            for c in fake_slack.named("chat.postMessage")
            if "approved by <@USEC1>" in (c.params.get("text") or "")
        ]
    )
    assert note[0].params["thread_ts"] == ts and "answer library" in note[0].params["text"]
    redrawn = fake_slack.wait_for("chat.update")[0].params
    assert redrawn["ts"] == "1700000099.000100" and "Approved by <@USEC1>" in json.dumps(
        redrawn["blocks"]
    )
    with app.runtime.db.session_scope() as session:
        entry = session.scalars(
            select(LibraryEntry).where(
                LibraryEntry.question == "How often are access rights reviewed?"
            )
        ).one()
        assert entry.approved_by == "USEC1" and "AC-01" in entry.answer
        assert ("AC-01", "control") in [(s["id"], s["kind"]) for s in entry.sources]
        last = session.scalars(select(LedgerRecord).order_by(LedgerRecord.seq.desc())).first()
        assert (
            last is not None
            and last.kind == "library_approved"
            and json.loads(last.payload)["via"] == "slack"
        )
    again = _dm(app, fake_slack, "questionnaire again please", event_id="EvQ2")
    assert (
        "2 approved from the library, 1 suggested"
        in _uploads(fake_slack, 2)[1].params["initial_comment"]
    )
    rerun = _uploaded_book(fake_slack)["Questions"]
    assert rerun.cell(4, 4).value == "approved" and rerun.cell(4, 3).value == entry.answer
    assert [
        m
        for m in wait_until(lambda: _review_messages(fake_slack, again))
        if "*Row 4*" in json.dumps(m["blocks"])
    ] == []


def test_edit_and_approve_puts_the_reviewers_text_in_the_library(
    app: SlackAppServer, fake_slack: FakeSlack
) -> None:
    ts = _dm(app, fake_slack, "")
    message = wait_until(lambda: _review_messages(fake_slack, ts))[0]
    _click(app, message, Action.QUESTIONNAIRE_EDIT, 3, ts=ts)
    view = fake_slack.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == View.QUESTIONNAIRE_EDIT
    assert view["blocks"][1]["element"]["initial_value"].startswith("Our Incident Response Policy")
    submission = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "USEC1"},
        "api_app_id": "A1",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": View.QUESTIONNAIRE_EDIT,
            "private_metadata": view["private_metadata"],
            "blocks": view["blocks"],
            "state": {
                "values": {
                    Block.QUESTIONNAIRE_ANSWER: {
                        Field.VALUE: {
                            "type": "plain_text_input",
                            "value": "We follow a tested incident response plan; see our policy.",
                        }
                    }
                }
            },
        },
    }
    response = app.interaction(submission)
    assert response.view_errors() == {}
    wait_until(lambda: fake_slack.named("chat.update"))
    with app.runtime.db.session_scope() as session:
        entry = session.scalars(
            select(LibraryEntry).where(
                LibraryEntry.question == "Describe your incident response process."
            )
        ).one()
        assert entry.answer == "We follow a tested incident response plan; see our policy."
    empty = dict(
        submission,
        view={
            **submission["view"],
            "state": {
                "values": {
                    Block.QUESTIONNAIRE_ANSWER: {
                        Field.VALUE: {"type": "plain_text_input", "value": " "}
                    }
                }
            },
        },
    )
    assert app.interaction(empty).view_errors() == {
        Block.QUESTIONNAIRE_ANSWER: "Write the answer to approve."
    }


def test_someone_outside_the_security_team_cannot_approve(
    app: SlackAppServer, fake_slack: FakeSlack
) -> None:
    ts = _dm(app, fake_slack, "")
    message = wait_until(lambda: _review_messages(fake_slack, ts))[0]
    _click(
        app,
        message,
        Action.QUESTIONNAIRE_APPROVE,
        4,
        user="UALICE",
        ts=ts,
        response_url=fake_slack.root + "/response/q",
    )
    refusal = wait_until(lambda: fake_slack.named("response"))
    assert "Only the security team can approve questionnaire answers" in refusal[0].params["text"]
    with app.runtime.db.session_scope() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(QuestionnaireItem)
                .where(QuestionnaireItem.approved_at.is_not(None))
            )
            == 0
        )


def test_a_button_from_another_conversation_is_refused(
    app: SlackAppServer, fake_slack: FakeSlack
) -> None:
    ts = _dm(app, fake_slack, "")
    message = dict(wait_until(lambda: _review_messages(fake_slack, ts))[0], channel="DOTHER")
    _click(
        app,
        message,
        Action.QUESTIONNAIRE_APPROVE,
        4,
        ts=ts,
        response_url=fake_slack.root + "/response/q",
    )
    refusal = wait_until(lambda: fake_slack.named("response"))
    assert "belongs to another conversation" in refusal[0].params["text"]


def test_asking_for_a_questionnaire_outside_the_security_team_is_refused_with_who_can(
    app: SlackAppServer, fake_slack: FakeSlack
) -> None:
    _dm(app, fake_slack, "can you fill in this questionnaire?", user="UALICE")
    refusal = wait_until(lambda: _replies(fake_slack, "DALICE"))
    text = refusal[0].params["text"]
    assert (
        "Only the security team can answer security questionnaires" in text and "<@USEC1>" in text
    )
    assert fake_slack.named("files.completeUploadExternal") == []
    with app.runtime.db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(QuestionnaireRun)) == 0


def test_a_spreadsheet_from_anyone_else_is_still_evidence(
    app: SlackAppServer, fake_slack: FakeSlack
) -> None:
    _dm(app, fake_slack, "AC-01 the access review export", user="UALICE")
    reply = wait_until(lambda: _replies(fake_slack, "DALICE"))
    assert (
        "AC-01" in reply[0].params["text"]
        and "questionnaire" not in reply[0].params["text"].lower()
    )
    assert fake_slack.named("files.completeUploadExternal") == []


def test_a_file_with_no_question_column_gets_the_reason(
    app: SlackAppServer, fake_slack: FakeSlack
) -> None:
    _dm(app, fake_slack, "questionnaire", content=xlsx([["Topic", "Text"], ["a", "b"]]))
    reply = wait_until(lambda: _replies(fake_slack, "DSEC1"))
    assert (
        "no question column found" in reply[0].params["text"]
        and "'Topic', 'Text'" in reply[0].params["text"]
    )


def test_questionnaire_help(app: SlackAppServer, fake_slack: FakeSlack) -> None:
    app.command("questionnaire help", user="UALICE", response_url=f"{fake_slack.root}/response/1")
    posted = wait_until(lambda: fake_slack.named("response"))
    text = json.dumps(posted[0].params)
    assert "Security questionnaires" in text and "Edit and approve" in text and "USEC1" in text


def test_a_questionnaire_over_the_size_limit_is_told_how_to_shrink_it(
    app: SlackAppServer, fake_slack: FakeSlack
) -> None:
    app.runtime.settings = app.runtime.settings.model_copy(update={"evidence_max_bytes": 100})
    _dm(app, fake_slack, "questionnaire")
    reply = wait_until(lambda: _replies(fake_slack, "DSEC1"))[0].params["text"]
    assert "(EVIDENCE_MAX_BYTES). Save a copy with only the sheets that hold questions" in reply
    assert "Send a link" not in reply
