"""Every answer the bot gives, on every surface, is a ledger record written with its question."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from bot.cli import app
from bot.commands import all_commands
from bot.console import run
from bot.router import Actor, Router
from bot.runtime import Runtime
from core import ledger
from core.config import Settings
from core.db import Database
from core.models import LedgerRecord, Question
from core.questions.service import record_question
from knowledge.answer import Answer
from knowledge.catalogue import Catalogue
from knowledge.search import Hit
from tests.core.evidence.support import cli_env, off_topic, record_answer

runner = CliRunner()


def _answers(db: Database) -> list[tuple[Question, dict]]:  # type: ignore[type-arg]
    """Each stored question with the payload of the ledger record it points at."""
    with db.session_scope() as session:
        rows = []
        for question in session.scalars(select(Question).order_by(Question.id)):
            record = session.get(LedgerRecord, question.ledger_seq)
            assert record is not None and record.kind == ledger.ANSWER, question.text
            rows.append((question, json.loads(record.payload)))
        session.expunge_all()
    return rows


def _answer(catalogue: Catalogue, query: str, ids: list[str], *, confident: bool) -> Answer:
    hits = [Hit(catalogue.entries[i], 0.9 - n / 10) for n, i in enumerate(ids)]
    if confident:
        return Answer(query, True, hits[0], related=hits[1:])
    return Answer(query, False, None, related=hits)


def test_recorded_answer_is_a_ledger_record_with_who_where_what(
    database_url: str, catalogue: Catalogue
) -> None:
    db = Database(database_url)
    declined = off_topic("what's for lunch?")
    with db.session_scope() as session:
        record_question(
            db_session=session,
            user_id="UALICE",
            surface="slack_mention",
            channel="CGEN",
            answer=_answer(catalogue, "who reviews access?", ["A.5.18", "CC6.2"], confident=True),
        )
        record_question(
            db_session=session,
            user_id="UBOB",
            surface="cli",
            channel=None,
            answer=declined,
        )
    (first, one), (second, two) = _answers(db)
    assert one == {
        "question": first.id,
        "user": "UALICE",
        "surface": "slack_mention",
        "channel": "CGEN",
        "asked_at": first.asked_at.isoformat(),
        "text": "who reviews access?",
        "ids": ["A.5.18", "CC6.2"],
        "confidence": 0.9,
        "answered": True,
        "declined": False,
    }
    assert two["declined"] is True and two["answered"] is False and two["ids"] == []
    assert second.ledger_seq == first.ledger_seq + 1  # type: ignore[operator]
    with db.session_scope() as session:
        result = ledger.verify(db_session=session)
    assert result.ok and result.answers == 2 and result.records == 2


def test_a_rolled_back_question_leaves_no_ledger_record(
    database_url: str, catalogue: Catalogue
) -> None:
    db = Database(database_url)
    with pytest.raises(RuntimeError), db.session_scope() as session:
        record_question(
            db_session=session,
            user_id="U1",
            surface="console",
            channel=None,
            answer=_answer(catalogue, "backups?", ["A.8.13"], confident=False),
        )
        raise RuntimeError("the unit of work fails after the question was recorded")
    with db.session_scope() as session:
        assert session.scalars(select(Question)).all() == []
        assert ledger.count(db_session=session) == 0


def test_console_chat_answer_is_ledgered(settings: Settings, real_searcher) -> None:  # type: ignore[no-untyped-def]
    runtime = Runtime(settings, embedder=real_searcher.embedder)
    runtime._searcher = real_searcher
    out = io.StringIO()
    run(
        Router(runtime, all_commands()),
        Actor("U1"),
        stdin=io.StringIO("what replaced A.9.2.5?\n"),
        stdout=out,
    )
    [(question, payload)] = _answers(runtime.db)
    assert payload["surface"] == "console" and payload["user"] == "U1"
    assert payload["ids"][0] == "A.5.18" and payload["answered"] is True


def test_cli_ask_is_ledgered_and_verify_counts_the_answers(
    database_url: str, shared_index_dir: Path, real_searcher
) -> None:  # type: ignore[no-untyped-def]
    env = cli_env(database_url, shared_index_dir)
    for question in ("A.7.2.2", "ntp servers"):
        assert runner.invoke(app, ["ask", question], env=env).exit_code == 0
    answers = _answers(Database(database_url))
    assert [p["text"] for _, p in answers] == ["A.7.2.2", "ntp servers"]
    assert {p["surface"] for _, p in answers} == {"cli"}
    assert answers[0][1]["ids"][0] == "A.6.3"
    verified = runner.invoke(app, ["evidence", "verify"], env=env)
    assert verified.exit_code == 0 and "2 records (2 answers)" in verified.output


def test_verify_names_an_edited_answer(
    database_url: str, shared_index_dir: Path, catalogue: Catalogue
) -> None:
    db = Database(database_url)
    answer = _answer(catalogue, "do we encrypt laptops?", ["A.8.1"], confident=True)
    record_answer(db, answer, user_id="UALICE", surface="slack_dm", channel="D1")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE ledger SET payload = replace(payload, 'A.8.1', 'A.8.24')"))
    bad = runner.invoke(app, ["evidence", "verify"], env=cli_env(database_url, shared_index_dir))
    assert bad.exit_code == 1 and "record 1 (answer) was altered" in bad.output


def test_slack_mention_dm_and_slash_answers_are_ledgered(
    slack_app, fake_slack, slack_runtime
) -> None:  # type: ignore[no-untyped-def]
    mention = {
        "type": "app_mention",
        "user": "UALICE",
        "channel": "CGEN",
        "ts": "1.1",
        "text": "<@UBOT> what replaced A.9.2.5?",
    }
    assert slack_app.event(mention, event_id="Ev-m").status == 200
    fake_slack.wait_for("chat.postMessage")
    dm = {
        "type": "message",
        "channel_type": "im",
        "user": "UBOB",
        "channel": "DBOB",
        "ts": "2.2",
        "text": "do contractors need security training?",
    }
    assert slack_app.event(dm, event_id="Ev-d").status == 200
    fake_slack.wait_for("chat.postMessage", count=2)
    url = fake_slack.root + "/response/ledger"
    assert (
        slack_app.command("ask pen test requirements", user="UCAROL", response_url=url).status
        == 200
    )
    fake_slack.wait_for("response")
    seen = {(p["surface"], p["user"], p["channel"]) for _, p in _answers(slack_runtime.db)}
    assert seen == {
        ("slack_mention", "UALICE", "CGEN"),
        ("slack_dm", "UBOB", "DBOB"),
        ("slash", "UCAROL", "CGEN"),
    }
