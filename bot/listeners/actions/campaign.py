"""Campaign buttons: acknowledge, take the quiz; and snoozing an evidence nudge."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.campaign import quiz_modal
from bot.blocks.messages import acknowledged
from bot.buttons import STALE, button_id, button_value
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.ids import Action
from bot.slack_text import parse_id
from core.campaigns import attempts
from core.campaigns import service as campaigns
from core.evidence import reminders as evidence_reminders
from core.localtime import local_day
from core.models import utcnow
from jobs import people


def _where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    container = body.get("container") or {}
    return container.get("channel_id"), container.get("message_ts")


def register(app: App, deps: Deps) -> None:
    """Register campaign and snooze buttons."""

    @app.action(Action.ACKNOWLEDGE)
    def on_ack(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        channel, ts = _where(body)
        with deps.runtime.db.session_scope() as session:
            done = campaigns.acknowledge(
                button_id(body), body["user"]["id"], db_session=session, channel=channel, ts=ts
            )
            title = done.campaign.title
        # The service says which message is the clicker's own: never one a forged payload names.
        if done.new and done.channel and done.ts:
            client.chat_update(
                channel=done.channel,
                ts=done.ts,
                **acknowledged(title, utcnow(), None, deps.runtime.settings.zone),
            )

    @app.action(Action.TAKE_QUIZ)
    def on_quiz(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        with deps.runtime.db.session_scope() as session:
            campaign = attempts.quiz_for(
                button_id(body),
                body["user"]["id"],
                db_session=session,
                zone=deps.runtime.settings.zone,
            )
            view = quiz_modal(campaign.id, campaign.title, campaign.quiz or {})
        channel, ts = _where(body)
        view["private_metadata"] = f"{campaign.id}|{channel or ''}|{ts or ''}"
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.SNOOZE)
    def on_snooze(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        request_id, _, days = button_value(body).partition(":")
        found = parse_id(request_id)
        if found is None or days not in {"1", "3", "7"}:
            raise UserFacingError(STALE)
        user, default = body["user"]["id"], deps.runtime.settings.zone
        with deps.runtime.db.session_scope() as session:
            done = evidence_reminders.snooze_request(
                found, int(days), db_session=session, user_id=user
            )
            # The next reminder comes in the owner's working hours, so the day is theirs.
            zone = people.zone_of(user, db_session=session, default=default)
        channel, ts = _where(body)
        if channel and ts:
            day = local_day(done.until, zone)
            client.chat_update(
                channel=channel, ts=ts, text=f"Snoozed: I'll remind you again on {day}.", blocks=[]
            )
