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
from bot.slack_text import parse_id
from core.questions.service import shared_answer


def register(app: App, deps: Deps) -> None:
    """Register the share button."""

    @app.action(Action.SHARE_ANSWER)
    def on_share(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        question_id = parse_id(str((body.get("actions") or [{}])[0].get("value", "")))
        if question_id is None:
            raise UserFacingError("That button no longer works; ask the question again.")
        channel = str((body.get("channel") or {}).get("id") or "")
        user = body["user"]["id"]
        searcher = deps.runtime.searcher()
        with deps.runtime.db.session_scope() as session:
            answer = shared_answer(
                question_id,
                user_id=user,
                channel=channel,
                db_session=session,
                searcher=searcher,
                min_score=deps.runtime.settings.answer_min_score,
            )
        args = message_args(AnswerReply(answer, question_id), deps.router.commands)
        client.chat_postMessage(
            channel=channel, text=f"<@{user}> shared: {args['text']}", blocks=args.get("blocks")
        )
        respond(delete_original=True)
