"""Answering and recording questions (each answer also in the ledger), feedback, the questions report."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import ledger
from core.errors import DomainError
from core.models import Feedback, Question, utcnow
from knowledge.answer import Answer, compose
from knowledge.search import EmptyQueryError, Searcher


class EmptyQuestionError(DomainError, EmptyQueryError):
    """A question with no words to search for (only punctuation or spaces)."""


def compose_answer(
    question: str, *, searcher: Searcher, min_score: float, k: int = 5, framework: str | None = None
) -> Answer:
    """Search the catalogue and compose the answer; took_ms is the query time alone."""
    start = time.perf_counter()
    try:
        result = searcher.search(question, k=k, framework=framework)
    except EmptyQueryError as exc:
        # A domain error, so every surface's one error path tells the person instead of failing.
        raise EmptyQuestionError(str(exc)) from exc
    answer = compose(result, searcher.catalogue, min_score=min_score)
    answer.took_ms = (time.perf_counter() - start) * 1000
    return answer


def answer_question(
    question: str,
    *,
    db_session: Session,
    searcher: Searcher,
    min_score: float,
    user_id: str,
    surface: str,
    channel: str | None,
    k: int = 5,
    framework: str | None = None,
) -> tuple[Answer, Question]:
    """Answer a question and store it with what was answered (nothing is stored if search refuses)."""
    # Searched before the first statement, so no write transaction is open while the model runs.
    answer = compose_answer(
        question, searcher=searcher, min_score=min_score, k=k, framework=framework
    )
    recorded = record_question(
        db_session=db_session, user_id=user_id, surface=surface, channel=channel, answer=answer
    )
    return answer, recorded


def record_question(
    *, db_session: Session, user_id: str, surface: str, channel: str | None, answer: Answer
) -> Question:
    """Store who asked what, where, and what the bot answered; the answer goes in the ledger too."""
    question = Question(
        asked_at=utcnow(),
        user_id=user_id,
        surface=surface,
        channel=channel,
        text=answer.query[:4000],
        top_ids=[h.entry.id for h in answer.hits][:5],
        confidence=round(answer.confidence, 4),
        answered=answer.confident,
    )
    db_session.add(question)
    db_session.flush()
    # Same unit of work as the row: a question is never stored without its ledger record.
    record = ledger.append(
        ledger.ANSWER,
        {
            "question": question.id,
            "user": user_id,
            "surface": surface,
            "channel": channel,
            "asked_at": question.asked_at.isoformat(),
            "text": question.text,
            "ids": question.top_ids,
            "confidence": question.confidence,
            "answered": question.answered,
            # Off-topic questions the bot declined to answer (older Answers have no such flag).
            "declined": bool(getattr(answer, "declined", False)),
        },
        db_session=db_session,
    )
    question.ledger_seq = record.seq
    db_session.flush()
    return question


def record_undelivered(question_id: int, reason: str, *, db_session: Session) -> None:
    """The answer to question_id never reached the person: the ledger says so beside the answer."""
    question = db_session.get(Question, question_id)
    ledger.append(
        ledger.ANSWER_UNDELIVERED,
        {
            "question": question_id,
            "answer_seq": question.ledger_seq if question is not None else None,
            "reason": reason[:300],
        },
        db_session=db_session,
    )


class QuestionError(DomainError):
    """A stored question cannot be used as asked; the message says why."""


def shareable(question_id: int, *, user_id: str, channel: str, db_session: Session) -> Question:
    """The person's own question, to be shared into the channel they asked it in."""
    question = db_session.get(Question, question_id)
    if question is None:
        raise QuestionError(GONE)
    # Button values can be forged: someone else's question, or a channel the person never spoke
    # in. The channel the question was asked in is one the person is in (Slack sent it from there).
    if question.user_id != user_id:
        raise QuestionError("You can only share answers to questions you asked.")
    if not channel or channel != question.channel:
        raise QuestionError("I can only share an answer into the channel it was asked in.")
    return question


def shared_answer(
    question_id: int,
    *,
    user_id: str,
    channel: str,
    db_session: Session,
    searcher: Searcher,
    min_score: float,
) -> Answer:
    """The answer to the person's own question, composed again to be shared where it was asked."""
    text = shareable(question_id, user_id=user_id, channel=channel, db_session=db_session).text
    # Answers are deterministic for the same catalogue, so the shared copy matches what was seen.
    return compose_answer(text, searcher=searcher, min_score=min_score)


GONE = "I can't find that answer any more; ask the question again."


def rateable(
    question_id: int, *, user_id: str, channel: str | None, db_session: Session
) -> Question:
    """The question a person may rate: it exists, and they saw its answer (channel: where)."""
    question = db_session.get(Question, question_id)
    if question is None:
        raise QuestionError(GONE)
    # A forged button value can name any question: only the asker, or someone in the channel
    # where the answer was posted, has seen it.
    if channel is not None and user_id != question.user_id and channel != question.channel:
        raise QuestionError("You can only rate answers that were posted where you are.")
    return question


def record_feedback(
    *,
    db_session: Session,
    question_id: int,
    user_id: str,
    helpful: bool,
    comment: str | None = None,
    channel: str | None = None,
) -> Feedback:
    """Store a person's vote on an answer they were shown; it replaces their earlier vote on it.

    channel is where the button was clicked (Slack sends it); a modal's own submission has none.
    """
    rateable(question_id, user_id=user_id, channel=channel, db_session=db_session)
    # One vote per person: clicking again (or 👍 then 👎 with a comment) changes their vote.
    db_session.execute(
        delete(Feedback).where(Feedback.question_id == question_id, Feedback.user_id == user_id)
    )
    vote = Feedback(question_id=question_id, user_id=user_id, helpful=helpful, comment=comment)
    db_session.add(vote)
    db_session.flush()
    return vote


@dataclass
class QuestionsReport:
    """Most asked questions, knowledge gaps and answers voted down."""

    total: int
    most_asked: list[tuple[str, int]]
    gaps: list[Question]
    voted_down: list[tuple[Question, Feedback]]


def questions_report(*, db_session: Session, since: datetime | None = None) -> QuestionsReport:
    """Build the report of what people ask and where the catalogue falls short."""
    stmt = select(Question)
    if since is not None:
        stmt = stmt.where(Question.asked_at >= since)
    questions = list(db_session.scalars(stmt.order_by(Question.asked_at)))
    counts = Counter(" ".join(q.text.lower().split()) for q in questions)
    down_stmt = (
        select(Question, Feedback)
        .join(Feedback, Feedback.question_id == Question.id)
        .where(Feedback.helpful.is_(False))
    )
    if since is not None:
        down_stmt = down_stmt.where(Question.asked_at >= since)
    voted_down = [(q, f) for q, f in db_session.execute(down_stmt)]
    return QuestionsReport(
        total=len(questions),
        most_asked=counts.most_common(10),
        gaps=[q for q in questions if not q.answered],
        voted_down=voted_down,
    )
