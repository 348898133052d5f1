"""Risk review card buttons: Still accurate, Update (opens the modal), Accept the residual risk."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import risk_flow
from bot.blocks.risks import parse_value, update_modal
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.ids import Action
from core.models import utcnow
from core.risks.review import accept_residual
from core.risks.service import StaleRiskError, mark_accurate


def clicked(body: dict[str, Any]) -> tuple[int, int]:
    """The (risk id, version) a card's button names; the clicker is checked by the service."""
    try:
        found = parse_value(str(body["actions"][0]["value"]))
    except (KeyError, IndexError):
        found = None
    if found is None:
        raise UserFacingError("That button no longer works.")
    return found


def show_newer(runtime: Any, respond: Respond, stale: StaleRiskError) -> None:
    """A click on an older version: nothing recorded; the card is replaced by the current one."""
    blocks = risk_flow.card(runtime, stale.risk_id, note=str(stale))
    respond(replace_original=True, text=str(stale), blocks=blocks)


def register(app: App, deps: Deps) -> None:
    """Register the risk review buttons."""

    @app.action(Action.RISK_ACCURATE)
    def on_accurate(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        risk_id, version = clicked(body)
        user = body["user"]["id"]
        try:
            with deps.runtime.db.session_scope() as session:
                risk = mark_accurate(
                    risk_id, version=version, user_id=user, db_session=session, now=utcnow()
                )
                done = f"{risk.ref} recorded as still accurate by <@{user}>; next review {risk.next_review_at:%Y-%m-%d}."
        except StaleRiskError as stale:
            show_newer(deps.runtime, respond, stale)
            return
        respond(replace_original=True, text=done)

    @app.action(Action.RISK_UPDATE)
    def on_update(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        risk_id, version = clicked(body)
        data = risk_flow.content(deps.runtime, risk_id)
        if body["user"]["id"] != data["owner"]:
            raise UserFacingError(
                f"Only the owner of {data['title']} (<@{data['owner']}>) can update it."
            )
        view = update_modal(data, deps.runtime.settings.risk_scale)
        # The modal shows the version the owner clicked on; saving checks it is still current.
        view["private_metadata"] = f"{risk_id}:{version}"
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.RISK_ACCEPT)
    def on_accept(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        risk_id, version = clicked(body)
        user = body["user"]["id"]
        try:
            with deps.runtime.db.session_scope() as session:
                accepted = accept_residual(
                    risk_id,
                    version=version,
                    user_id=user,
                    on_security_team=deps.runtime.team.contains(user),
                    scale=risk_flow.scale(deps.runtime),
                    db_session=session,
                    now=utcnow(),
                )
                waiting = accepted.needs_approval and accepted.approved_by is None
        except StaleRiskError as stale:
            show_newer(deps.runtime, respond, stale)
            return
        note = "awaiting a security-team approval" if waiting else "fully accepted"
        respond(replace_original=True, text=f"Residual risk accepted by <@{user}>: {note}.")
        if waiting:
            risk_flow.ask_approval(deps.runtime, client, risk_id)
