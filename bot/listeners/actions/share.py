""" "Share in channel": post an ephemeral `/compliance ask` answer for everyone to see."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import UserFacingError
from bot.ids import Action
from bot.router import AnswerReply
from bot.slack_render import message_args
from core.models import Question


def register(app: App, deps: Deps) -> None:
    """Register the share button."""

    @app.action(Action.SHARE_ANSWER)
    def on_share(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        try:
            question_id = int(body["actions"][0]["value"])
        except (KeyError, IndexError, ValueError):
            raise UserFacingError("That button no longer works; ask the question again.") from None
        with deps.runtime.db.session_scope() as session:
            question = session.get(Question, question_id)
            text = question.text if question else None
        if text is None:
            raise UserFacingError("I can't find that answer any more; ask the question again.")
        # Answers are deterministic for the same catalogue, so the shared copy matches what was seen.
        answer = deps.runtime.answer(text)
        channel = (body.get("channel") or {}).get("id")
        if not channel:
            raise UserFacingError("I can only share answers into a channel.")
        user = body["user"]["id"]
        args = message_args(AnswerReply(answer, question_id), deps.router.commands)
        client.chat_postMessage(
            channel=channel, text=f"<@{user}> shared: {args['text']}", blocks=args.get("blocks")
        )
        respond(delete_original=True)
