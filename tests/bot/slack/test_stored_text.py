"""Text PostgreSQL cannot store (NUL) and file names longer than their column get a clear outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.ids import Block, Field, View
from core.campaigns import service as campaigns
from core.db import Database
from core.evidence.service import EvidenceError, FileUpload, controls_for, submit
from core.filenames import MAX_NAME, storable_name
from core.models import Campaign, OrgControl, Question, Submission, utcnow
from tests.slack_support import view_submission


@pytest.fixture
def db(database_url: str) -> Database:
    """A database with one control, AC-01."""
    database = Database(database_url)
    with database.session_scope() as session:
        session.add(
            OrgControl(
                ref="AC-01", title="Access review", requirements=[], owner="U1", cadence="quarterly"
            )
        )
    return database


def test_storable_name_drops_control_characters_and_keeps_the_extension() -> None:
    assert storable_name("q3\x00review\r\n.pdf") == "q3 review .pdf"
    long = storable_name("minutes " * 100 + ".docx")
    assert len(long) == MAX_NAME and long.endswith("….docx")
    assert len(storable_name("x" * 1000)) == MAX_NAME
    assert storable_name("\x00\x01") == "file"


def test_evidence_with_a_nul_character_is_refused_clearly(db: Database, settings) -> None:  # type: ignore[no-untyped-def]
    for text, link in (("reviewed\x00 in Q3", None), ("reviewed", "https://x.example/\x00")):
        with db.session_scope() as session, pytest.raises(EvidenceError, match="NUL character"):
            submit(
                controls_for("AC-01", db_session=session),
                db_session=session,
                submitted_by="U1",
                text=text,
                link=link,
                zone=settings.zone,
                max_bytes=1000,
            )
    with db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 0


def test_file_with_a_very_long_name_and_a_nul_is_stored(db: Database, settings) -> None:  # type: ignore[no-untyped-def]
    name = "access\x00review " + "very " * 200 + ".pdf"
    with db.session_scope() as session:
        submit(
            controls_for("AC-01", db_session=session),
            db_session=session,
            submitted_by="U1",
            upload=FileUpload(name, b"%PDF review"),
            zone=settings.zone,
            max_bytes=1000,
        )
    with db.session_scope() as session:
        stored = session.scalars(select(Submission.file_name)).one()
    assert stored is not None and len(stored) <= MAX_NAME
    assert stored.startswith("access review very") and stored.endswith(".pdf")


def test_campaign_document_with_a_very_long_name_is_stored(
    settings, fake_slack, database_url: str
) -> None:  # type: ignore[no-untyped-def]
    fake_slack.add_user("U1")
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    with Database(database_url).session_scope() as session:
        campaigns.start(
            client,
            db_session=session,
            title="Acceptable use 2027",
            audience_spec="users:U1",
            due=utcnow() + timedelta(days=14),
            created_by="USEC1",
            reminder_days=3,
            document=("policy\x00" + "p" * 500 + ".pdf", b"%PDF policy"),
        )
    with Database(database_url).session_scope() as session:
        stored = session.scalars(select(Campaign.document_name)).one()
    assert stored is not None and len(stored) <= MAX_NAME and stored.endswith(".pdf")
    assert "\x00" not in stored


def _reply(slack_app, fake_slack, text: str) -> str:  # type: ignore[no-untyped-def]
    slack_app.command(text, response_url=fake_slack.root + "/response/1")
    return str(fake_slack.wait_for("response")[0].params["text"])


def test_question_with_a_nul_character_gets_a_clear_message(
    slack_app, fake_slack, slack_runtime
) -> None:
    assert "NUL character" in _reply(slack_app, fake_slack, "ask what is\x00 MFA?")
    with slack_runtime.db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Question)) == 0


def test_modal_input_with_a_nul_character_is_shown_under_that_input(slack_app) -> None:
    submission = view_submission(
        View.EVIDENCE,
        {
            Block.EVIDENCE_TEXT: {Field.VALUE: {"value": "reviewed\x00"}},
            Block.EVIDENCE_LINK: {Field.VALUE: {"value": None}},
        },
        view_id="V-nul",
        metadata="1",
        trigger_id="t",
    )
    errors = slack_app.interaction(submission).view_errors()
    assert list(errors) == [Block.EVIDENCE_TEXT] and "NUL character" in errors[Block.EVIDENCE_TEXT]
