"""**Report an incident** under an answer: opens the private report form (anyone may report)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.incident import report_modal
from bot.deps import Deps
from bot.ids import Action


def register(app: App, deps: Deps) -> None:
    """Register the report button."""

    @app.action(Action.REPORT_INCIDENT)
    def on_report(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        # The value carries nothing: the report is the clicker's own, whoever they are.
        client.views_open(trigger_id=body["trigger_id"], view=report_modal())
