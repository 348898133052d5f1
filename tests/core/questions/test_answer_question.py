"""The question service: one call answers, stores and ledgers a question; sharing re-composes it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import ledger
from core.db import Database
from core.models import Question
from core.questions.service import QuestionError, answer_question, shared_answer
from knowledge.answer import Answer
from knowledge.search import EmptyQueryError, Searcher

MIN_SCORE = 0.35


def _ask(db: Database, searcher: Searcher, text: str) -> tuple[Answer, int]:
    """UALICE asks in CGEN by mentioning the bot."""
    with db.session_scope() as session:
        answer, question = answer_question(
            text,
            db_session=session,
            searcher=searcher,
            min_score=MIN_SCORE,
            user_id="UALICE",
            surface="slack_mention",
            channel="CGEN",
        )
        return answer, question.id


def test_answer_question_answers_and_stores_it_with_its_ledger_record(
    database_url: str, real_searcher
) -> None:  # type: ignore[no-untyped-def]
    db = Database(database_url)
    answer, question_id = _ask(db, real_searcher, "what replaced A.9.2.5?")
    assert answer.best is not None and answer.best.entry.id == "A.5.18"
    assert answer.took_ms > 0
    with db.session_scope() as session:
        stored = session.get(Question, question_id)
        assert stored is not None
        assert (stored.user_id, stored.surface, stored.channel) == (
            "UALICE",
            "slack_mention",
            "CGEN",
        )
        assert stored.top_ids[0] == "A.5.18" and stored.answered is True
        assert stored.ledger_seq is not None and ledger.count(db_session=session) == 1


def test_a_question_search_refuses_stores_nothing(database_url: str, real_searcher) -> None:  # type: ignore[no-untyped-def]
    db = Database(database_url)
    with pytest.raises(EmptyQueryError):
        _ask(db, real_searcher, " ?! ")
    with db.session_scope() as session:
        assert session.scalars(select(Question)).all() == []
        assert ledger.count(db_session=session) == 0


def test_shared_answer_is_the_askers_answer_composed_again(
    database_url: str, real_searcher
) -> None:  # type: ignore[no-untyped-def]
    db = Database(database_url)
    first, question_id = _ask(db, real_searcher, "do contractors need security training?")
    with db.session_scope() as session:
        again = shared_answer(
            question_id,
            user_id="UALICE",
            channel="CGEN",
            db_session=session,
            searcher=real_searcher,
            min_score=MIN_SCORE,
        )
        with pytest.raises(QuestionError, match="questions you asked"):
            shared_answer(
                question_id,
                user_id="UBOB",
                channel="CGEN",
                db_session=session,
                searcher=real_searcher,
                min_score=MIN_SCORE,
            )
    assert [h.entry.id for h in again.hits] == [h.entry.id for h in first.hits]
