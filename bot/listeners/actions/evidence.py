"""Evidence buttons: submit (opens the modal), accept / reject (security team), confirm a suggested control."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks.evidence import evidence_modal, handed_in_text, reject_modal
from bot.buttons import button_id, button_value
from bot.deps import Deps
from bot.evidence_flow import find_controls, hand_in
from bot.ids import Action
from bot.slack_files import check_shared_by
from core.evidence.handin import open_request
from core.evidence.reviewing import Verdict, decide


def _channel(body: dict[str, Any]) -> str | None:
    """Where the button was clicked (Slack sets this, not the button's value)."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def notify_owner(client: WebClient, verdict: Verdict) -> None:
    """DM the control owner the review outcome (after the review is committed)."""
    if not verdict.owner_user_id:
        return
    outcome = "accepted :white_check_mark:" if verdict.accepted else "rejected"
    note = f"\nReviewer's comment: {verdict.comment}" if verdict.comment else ""
    again = "" if verdict.accepted else "\nPlease submit new evidence."
    client.chat_postMessage(
        channel=verdict.owner_user_id,
        text=f"Your evidence for {verdict.control_ref} ({verdict.period}) was {outcome}.{note}{again}",
    )


def register(app: App, deps: Deps) -> None:
    """Register evidence buttons."""

    @app.action(Action.SUBMIT_EVIDENCE)
    def on_submit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        with deps.runtime.db.session_scope() as session:
            wanted = open_request(button_id(body), db_session=session)
        control = wanted.control
        view = evidence_modal(
            wanted.request_id, control.ref, control.title, wanted.period, wanted.expected
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.ACCEPT_EVIDENCE)
    def on_accept(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        deps.runtime.team.require(user, "accept evidence")
        with deps.runtime.db.session_scope() as session:
            verdict = decide(
                button_id(body), accept=True, reviewer=user, comment=None, db_session=session
            )
        respond(replace_original=True, text=f"Evidence accepted by <@{user}>.")
        notify_owner(client, verdict)

    @app.action(Action.REJECT_EVIDENCE)
    def on_reject(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        deps.runtime.team.require(body["user"]["id"], "reject evidence")
        client.views_open(trigger_id=body["trigger_id"], view=reject_modal(button_id(body)))

    @app.action(Action.CONFIRM_CONTROL)
    def on_confirm(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        file_id, _, ref = button_value(body).partition("|")
        actor = deps.actor(body["user"]["id"])
        controls = find_controls(deps.runtime, ref)

        def confirm() -> None:
            # The value names a file; only one the clicker shared with the bot may be handed in.
            check_shared_by(client, file_id, user=actor.user_id, channel=_channel(body))
            result = hand_in(deps.runtime, actor, controls, file_id=file_id)
            respond(replace_original=True, text=handed_in_text(result))

        # The download may take EVIDENCE_DOWNLOAD_SECONDS: not on the workers that answer.
        deps.offload(body, client, confirm)
