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
from core.questions.service import rateable, record_feedback


def _question_id(body: dict[str, Any]) -> int:
    try:
        found = parse_id(str(body["actions"][0]["value"]))
    except (KeyError, IndexError, TypeError):
        found = None
    if found is None:
        raise UserFacingError("That button no longer works; ask the question again.")
    return found


def _channel(body: dict[str, Any]) -> str:
    """Where the button was clicked, as Slack sent it ("" when it sent none: only the asker may)."""
    found = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return str(found or "")


def register(app: App, deps: Deps) -> None:
    """Register the feedback buttons."""

    @app.action(Action.FEEDBACK_UP)
    def on_up(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user, channel = body["user"]["id"], _channel(body)
        with deps.runtime.db.session_scope() as session:
            record_feedback(
                db_session=session,
                question_id=_question_id(body),
                user_id=user,
                helpful=True,
                channel=channel,
            )
        if channel:
            client.chat_postEphemeral(
                channel=channel, user=user, text="Thanks, glad it helped. :+1:"
            )

    @app.action(Action.FEEDBACK_DOWN)
    def on_down(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        question_id, user = _question_id(body), body["user"]["id"]
        with deps.runtime.db.session_scope() as session:
            rateable(question_id, user_id=user, channel=_channel(body), db_session=session)
        client.views_open(trigger_id=body["trigger_id"], view=feedback_modal(question_id))
