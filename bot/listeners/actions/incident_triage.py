"""The security team's buttons on an incident's post: triage, review, corrective action (modals)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.incident import action_modal, review_modal, triage_modal
from bot.buttons import button_id
from bot.deps import Deps
from bot.ids import Action
from core.incidents.models import Incident
from core.incidents.service import get

MODALS: dict[str, tuple[Callable[[Incident], dict[str, Any]], str]] = {
    Action.INCIDENT_TRIAGE: (triage_modal, "triage incidents"),
    Action.INCIDENT_REVIEW: (review_modal, "record post-incident reviews"),
    Action.INCIDENT_ADD_ACTION: (action_modal, "add corrective actions"),
}


def register(app: App, deps: Deps) -> None:
    """Register the incident post's buttons."""

    def on_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        build, what = MODALS[body["actions"][0]["action_id"]]
        # Refused before anything is read: a non-member learns nothing and changes nothing.
        deps.runtime.team.require(body["user"]["id"], what)
        with deps.runtime.db.session_scope() as session:
            view = build(get(button_id(body), db_session=session))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    for action_id in MODALS:
        app.action(action_id)(on_button)
