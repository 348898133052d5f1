"""New-supplier request buttons in the security channel: Approve and Reject open the reason modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.suppliers import decision_modal
from bot.buttons import button_id
from bot.deps import Deps
from bot.ids import Action


def register(app: App, deps: Deps) -> None:
    """Register the supplier request buttons."""

    @app.action(Action.SUPPLIER_APPROVE)
    def on_approve(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        deps.runtime.team.require(body["user"]["id"], "approve suppliers")
        client.views_open(trigger_id=body["trigger_id"], view=decision_modal(button_id(body), True))

    @app.action(Action.SUPPLIER_REJECT)
    def on_reject(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        deps.runtime.team.require(body["user"]["id"], "reject suppliers")
        client.views_open(
            trigger_id=body["trigger_id"], view=decision_modal(button_id(body), False)
        )
