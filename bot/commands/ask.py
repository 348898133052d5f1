"""`ask <question>`: search the catalogue and answer."""

from __future__ import annotations

from bot.errors import UsageError
from bot.router import AnswerReply, Command, Reply, Request
from bot.runtime import Runtime
from core.questions.service import answer_question


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """Answer a question and store it with what was answered."""
    if not args.strip():
        raise UsageError("Tell me what to look up, for example a control ID or a question.", "ask")
    searcher = runtime.searcher()  # loads the model on first use, before any session opens
    with runtime.db.session_scope() as session:
        answer, question = answer_question(
            args,
            db_session=session,
            searcher=searcher,
            min_score=runtime.settings.answer_min_score,
            user_id=request.actor.user_id,
            surface=request.surface,
            channel=request.channel,
        )
        question_id = question.id
    return AnswerReply(answer, question_id)


COMMAND = Command(
    name="ask",
    usage="ask <question>",
    summary="answer a question from the ISO 27001 / SOC 2 catalogue",
    examples=("ask what replaced A.9.2.5?", "ask do contractors need security training?"),
    handler=handle,
)
