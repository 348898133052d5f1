"""Posting a reply to Slack so that an answer that never arrives is recorded as undelivered."""

from __future__ import annotations

from collections.abc import Callable

from bot.router import AnswerReply, Reply
from bot.runtime import Runtime
from core.questions.service import record_undelivered


def post(runtime: Runtime, reply: Reply, send: Callable[[], object]) -> None:
    """Call send (the Slack call that shows reply); an answer it fails to show goes in the ledger.

    send already retried 5xx, timeouts and 429s; the error is raised on for the guard to report.
    """
    try:
        send()
    except Exception as exc:
        if isinstance(reply, AnswerReply):
            first_line = (str(exc).splitlines() or [""])[0]
            with runtime.db.session_scope() as session:
                record_undelivered(
                    reply.question_id, f"{type(exc).__name__}: {first_line}", db_session=session
                )
        raise
