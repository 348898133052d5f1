"""The Approve button on a questionnaire row: the draft enters the answer library as it is."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import questionnaire_flow as flow
from bot.blocks.questionnaire import item_ids
from bot.deps import Deps
from bot.ids import Action


def register(app: App, deps: Deps) -> None:
    """Register the Approve button."""

    @app.action(Action.QUESTIONNAIRE_APPROVE)
    def on_questionnaire_approve(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        row_id = flow.item_id(body)
        flow.reviewable(deps.runtime, row_id, user, channel)
        item = flow.approve(deps.runtime, row_id, user)
        message = body.get("message") or {}
        if channel and message.get("ts"):
            flow.redraw(deps.runtime, client, channel, message["ts"], item_ids(message))
            thread = message.get("thread_ts") or message["ts"]
            client.chat_postMessage(
                channel=channel, thread_ts=thread, text=flow.approved_text(item)
            )
