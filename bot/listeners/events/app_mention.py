"""`app_mention`: answer in the mentioning message's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.delivered import post
from bot.deps import Deps
from bot.router import Request
from bot.slack_render import message_args
from bot.slack_text import strip_mention


def register(app: App, deps: Deps) -> None:
    """Answer mentions in a thread."""

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("bot_id") or event.get("subtype"):
            return
        actor = deps.actor(event["user"])
        text = strip_mention(event.get("text", ""), context.bot_user_id)
        request = Request(actor=actor, text=text, surface="slack_mention", channel=event["channel"])
        reply = deps.router.handle(request)
        args = message_args(reply, deps.router.commands)
        thread = event.get("thread_ts") or event["ts"]
        post(
            deps.runtime,
            reply,
            lambda: client.chat_postMessage(channel=event["channel"], thread_ts=thread, **args),
        )
