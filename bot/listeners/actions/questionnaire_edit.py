"""The Edit and approve button on a questionnaire row: opens the modal with the draft to correct."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import questionnaire_flow as flow
from bot.blocks.questionnaire import edit_modal
from bot.deps import Deps
from bot.ids import Action


def register(app: App, deps: Deps) -> None:
    """Register the Edit and approve button."""

    @app.action(Action.QUESTIONNAIRE_EDIT)
    def on_questionnaire_edit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        channel = (body.get("channel") or {}).get("id")
        item = flow.reviewable(deps.runtime, flow.item_id(body), body["user"]["id"], channel)
        view = edit_modal(item, channel or "", body.get("message") or {})
        client.views_open(trigger_id=body["trigger_id"], view=view)
