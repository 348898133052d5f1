"""Direct messages to the bot: answer in the DM; ignore bots, edits and other subtypes."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import questionnaire_flow
from bot.delivered import post
from bot.deps import Deps
from bot.router import Request
from bot.slack_render import message_args

# A file share is still a person talking to us (evidence by DM); every other subtype is noise.
_ACCEPTED_SUBTYPES = {None, "file_share"}


def register(app: App, deps: Deps) -> None:
    """Answer DMs."""

    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id"):
            return
        if event.get("subtype") not in _ACCEPTED_SUBTYPES or not event.get("user"):
            return
        request = Request(
            actor=deps.actor(event["user"]),
            text=event.get("text", ""),
            surface="slack_dm",
            channel=event["channel"],
            files=list(event.get("files") or []),
        )

        def answer() -> None:
            # A security-team questionnaire is answered in its thread; other files are evidence.
            if questionnaire_flow.take_dm(deps.runtime, request, event["ts"], client):
                return
            reply = deps.router.handle(request)
            args = message_args(reply, deps.router.commands)
            post(
                deps.runtime,
                reply,
                lambda: client.chat_postMessage(channel=event["channel"], **args),
            )

        if request.files:
            # Files may take EVIDENCE_DOWNLOAD_SECONDS to arrive: not on the workers that answer.
            deps.offload(body, client, answer)
        else:
            answer()
