"""The 👎 modal's submission: store the vote with what was missing."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.common import submitted
from bot.deps import Deps
from bot.ids import Block, View
from bot.slack_text import parse_id
from core.questions.service import record_feedback


def register(app: App, deps: Deps) -> None:
    """Register the feedback modal."""

    @app.view(View.FEEDBACK)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        comment = submitted(view, Block.FEEDBACK_COMMENT)
        question_id = parse_id(str(view.get("private_metadata") or "")) or 0
        # Recorded before the ack: if the question is gone, the modal says so with the comment kept.
        with deps.runtime.db.session_scope() as session:
            record_feedback(
                db_session=session,
                question_id=question_id,
                user_id=body["user"]["id"],
                helpful=False,
                comment=(comment or "").strip() or None,
            )
        ack()
