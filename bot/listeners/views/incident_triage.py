"""The security team's incident modals: triage, post-incident review, corrective action."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.common import submitted
from bot.blocks.incident import action_owner_blocks
from bot.deps import Deps
from bot.errors import FieldError, UserFacingError
from bot.ids import Block, View
from bot.incident_flow import refresh
from bot.incident_form import as_field_error, parse_action, parse_triage
from bot.slack_text import parse_id
from core.incidents import reviews, triage
from core.incidents.clocks import record_notification
from core.incidents.service import IncidentError
from core.localtime import local_day


def _incident_id(view: dict[str, Any]) -> int:
    found = parse_id(str(view.get("private_metadata") or ""))
    if found is None:
        raise UserFacingError("That form no longer works; open it again from the incident's post.")
    return found


def _require_team(deps: Deps, body: dict[str, Any], block: str) -> str:
    user = str(body["user"]["id"])
    if not deps.runtime.team.contains(user):
        raise FieldError("Only the security team can change incidents.", block)
    return user


def _clocks(deps: Deps) -> triage.Clocks:
    s = deps.runtime.settings
    return triage.Clocks(s.incident_notification_hours, s.incident_review_days, s.security_channel)


def _describe(changed: dict[str, Any]) -> str:
    shown = {k: v for k, v in changed.items() if k != "notify_due_at"}
    return ", ".join(f"{k.replace('_', ' ')} → {v[1]}" for k, v in shown.items())


def register(app: App, deps: Deps) -> None:
    """Register the incident modals."""

    @app.view(View.INCIDENT_TRIAGE)
    def on_triage(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = _require_team(deps, body, Block.INCIDENT_STATUS)
        incident_id = _incident_id(view)
        change, notified_at, whom = parse_triage(view)
        try:  # all or nothing, before the ack: a refusal shows under its field
            with deps.runtime.db.session_scope() as session:
                _, changed = triage.apply(
                    incident_id, change, db_session=session, actor=user, clocks=_clocks(deps)
                )
                if notified_at is not None or whom.strip():
                    if notified_at is None:
                        raise IncidentError("Give when the notification was sent.", "notified_at")
                    record_notification(
                        incident_id,
                        db_session=session,
                        actor=user,
                        notified_at=notified_at,
                        whom=whom,
                    )
                    changed["notified"] = [None, whom.strip()]
        except IncidentError as exc:
            raise as_field_error(exc, Block.INCIDENT_STATUS) from None
        ack()
        note = f"<@{user}> set {_describe(changed)}." if changed else None
        refresh(deps.runtime, client, incident_id, note)

    @app.view(View.INCIDENT_REVIEW)
    def on_review(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = _require_team(deps, body, Block.INCIDENT_ROOT_CAUSE)
        incident_id = _incident_id(view)
        values = {
            b: str(submitted(view, b) or "")
            for b in (Block.INCIDENT_ROOT_CAUSE, Block.INCIDENT_LESSONS)
        }
        try:
            with deps.runtime.db.session_scope() as session:
                reviews.record_review(
                    incident_id,
                    db_session=session,
                    actor=user,
                    root_cause=values[Block.INCIDENT_ROOT_CAUSE],
                    lessons=values[Block.INCIDENT_LESSONS],
                )
        except IncidentError as exc:
            raise as_field_error(exc, Block.INCIDENT_ROOT_CAUSE) from None
        ack()
        refresh(deps.runtime, client, incident_id, f"<@{user}> recorded the post-incident review.")

    @app.view(View.INCIDENT_ACTION)
    def on_action(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = _require_team(deps, body, Block.INCIDENT_ACTION_TEXT)
        incident_id = _incident_id(view)
        zone = deps.runtime.settings.zone
        text, owner, due = parse_action(view, zone)
        try:
            with deps.runtime.db.session_scope() as session:
                action = reviews.add_action(
                    incident_id,
                    db_session=session,
                    actor=user,
                    description=text,
                    owner=owner,
                    due_at=due,
                )
                ref, action_id = f"INC-{incident_id}", action.id
        except IncidentError as exc:
            raise as_field_error(exc, Block.INCIDENT_ACTION_TEXT) from None
        ack()
        day = local_day(due, zone)
        client.chat_postMessage(
            channel=owner,
            text=f"Corrective action #{action_id} for {ref}",
            blocks=action_owner_blocks(ref, action_id, text.strip(), day),
        )
        refresh(
            deps.runtime,
            client,
            incident_id,
            f"<@{user}> added corrective action #{action_id} for <@{owner}>, due {day}.",
        )
