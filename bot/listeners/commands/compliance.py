"""`/compliance <subcommand>`: ack at once, answer ephemerally through the shared router."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.delivered import post
from bot.deps import Deps
from bot.router import AnswerReply, ModalReply, Request
from bot.slack_render import message_args


def register(app: App, deps: Deps) -> None:
    """Register /compliance."""

    @app.command("/compliance")
    def on_compliance(
        ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        request = Request(
            actor=deps.actor(command["user_id"]),
            text=command.get("text", ""),
            surface="slash",
            channel=command.get("channel_id"),
        )
        reply = deps.router.handle(request, as_command=True)
        if isinstance(reply, ModalReply):
            client.views_open(trigger_id=command["trigger_id"], view=reply.view)
            return
        args = message_args(reply, deps.router.commands, shareable=isinstance(reply, AnswerReply))
        post(deps.runtime, reply, lambda: respond(response_type="ephemeral", **args))
