"""**Mark done** on a corrective action: only its owner or the security team may press it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import NotAllowedError, UserFacingError
from bot.ids import Action
from bot.incident_flow import refresh
from bot.slack_text import parse_id
from core.incidents import reviews


def register(app: App, deps: Deps) -> None:
    """Register the corrective action's done button."""

    @app.action(Action.INCIDENT_ACTION_DONE)
    def on_done(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        action_id = parse_id(str((body.get("actions") or [{}])[0].get("value") or ""))
        if action_id is None:
            raise UserFacingError("That button no longer works.")
        with deps.runtime.db.session_scope() as session:
            owner = reviews.get_action(action_id, db_session=session).owner
            # The value names an action: only its owner (or the team) may close it.
            if user != owner and not deps.runtime.team.contains(user):
                raise NotAllowedError(
                    f"Only the action's owner <@{owner}> or the security team can mark it done."
                )
            action = reviews.complete_action(action_id, db_session=session, actor=user)
            incident_id = action.incident_id
        respond(replace_original=True, text=f"Corrective action #{action_id} is done. Thank you.")
        refresh(
            deps.runtime,
            client,
            incident_id,
            f"<@{user}> completed corrective action #{action_id}.",
        )
