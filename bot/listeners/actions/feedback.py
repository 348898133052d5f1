"""👍 records a vote; 👎 opens a modal asking what was missing."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.answer import feedback_modal
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.ids import Action
from bot.slack_text import parse_id
from core.questions.service import record_feedback


def _question_id(body: dict[str, Any]) -> int:
    try:
        found = parse_id(str(body["actions"][0]["value"]))
    except (KeyError, IndexError, TypeError):
        found = None
    if found is None:
        raise UserFacingError("That button no longer works; ask the question again.")
    return found


def register(app: App, deps: Deps) -> None:
    """Register the feedback buttons."""

    @app.action(Action.FEEDBACK_UP)
    def on_up(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        with deps.runtime.db.session_scope() as session:
            vote = record_feedback(
                db_session=session, question_id=_question_id(body), user_id=user, helpful=True
            )
        if vote is None:
            raise UserFacingError("I can't find that answer any more; ask the question again.")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id"
        )
        if channel:
            client.chat_postEphemeral(
                channel=channel, user=user, text="Thanks, glad it helped. :+1:"
            )

    @app.action(Action.FEEDBACK_DOWN)
    def on_down(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=feedback_modal(_question_id(body)))
