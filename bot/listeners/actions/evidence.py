"""Evidence buttons: submit (opens the modal), accept / reject (security team), confirm a suggested control."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks.evidence import evidence_modal, reject_modal
from bot.commands.evidence import _fetch
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.evidence_flow import find_controls, hand_in, result_text
from bot.ids import Action
from bot.slack_files import check_shared_by
from bot.slack_text import parse_id
from core.evidence.service import EvidenceError, review
from core.models import EvidenceRequest, OrgControl


def _value(body: dict[str, Any]) -> str:
    try:
        return str(body["actions"][0]["value"])
    except (KeyError, IndexError):
        raise UserFacingError("That button no longer works.") from None


def _request_id(body: dict[str, Any]) -> int:
    found = parse_id(_value(body))
    if found is None:
        raise UserFacingError("That button no longer works.")
    return found


def _channel(body: dict[str, Any]) -> str | None:
    """Where the button was clicked (Slack sets this, not the button's value)."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def notify_owner(deps: Deps, client: WebClient, request_id: int) -> None:
    """DM the control owner the review outcome."""
    with deps.runtime.db.session_scope() as session:
        request = session.get(EvidenceRequest, request_id)
        control = session.get(OrgControl, request.control_id) if request else None
        if request is None or control is None or not control.owner_user_id:
            return
        verdict = "accepted :white_check_mark:" if request.status == "accepted" else "rejected"
        note = f"\nReviewer's comment: {request.review_comment}" if request.review_comment else ""
        again = "\nPlease submit new evidence." if request.status == "rejected" else ""
        owner, text = (
            control.owner_user_id,
            f"Your evidence for {control.ref} ({request.period}) was {verdict}.{note}{again}",
        )
    client.chat_postMessage(channel=owner, text=text)


def register(app: App, deps: Deps) -> None:
    """Register evidence buttons."""

    @app.action(Action.SUBMIT_EVIDENCE)
    def on_submit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        request_id = _request_id(body)
        with deps.runtime.db.session_scope() as session:
            request = session.get(EvidenceRequest, request_id)
            control = session.get(OrgControl, request.control_id) if request else None
            if request is None or control is None:
                raise UserFacingError("That evidence request no longer exists.")
            view = evidence_modal(
                request.id, control.ref, control.title, request.period, control.expected_evidence
            )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.ACCEPT_EVIDENCE)
    def on_accept(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        deps.runtime.team.require(user, "accept evidence")
        request_id = _request_id(body)
        try:
            with deps.runtime.db.session_scope() as session:
                review(request_id, accept=True, reviewer=user, comment=None, db_session=session)
        except EvidenceError as exc:
            raise UserFacingError(str(exc)) from None
        respond(replace_original=True, text=f"Evidence accepted by <@{user}>.")
        notify_owner(deps, client, request_id)

    @app.action(Action.REJECT_EVIDENCE)
    def on_reject(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        deps.runtime.team.require(body["user"]["id"], "reject evidence")
        client.views_open(trigger_id=body["trigger_id"], view=reject_modal(_request_id(body)))

    @app.action(Action.CONFIRM_CONTROL)
    def on_confirm(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        file_id, _, ref = _value(body).partition("|")
        actor = deps.actor(body["user"]["id"])
        controls = find_controls(deps.runtime, ref)

        def confirm() -> None:
            # The value names a file; only one the clicker shared with the bot may be handed in.
            check_shared_by(client, file_id, user=actor.user_id, channel=_channel(body))
            upload = _fetch(deps.runtime, file_id)
            result = hand_in(deps.runtime, actor, controls, upload=upload)
            respond(replace_original=True, text=result_text(result, deps.runtime))

        # The download may take EVIDENCE_DOWNLOAD_SECONDS: not on the workers that answer.
        deps.offload(body, client, confirm)
