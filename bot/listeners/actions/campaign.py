"""Campaign buttons: acknowledge, take the quiz; and snoozing an evidence nudge."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.campaign import quiz_modal
from bot.blocks.messages import acknowledged
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.ids import Action
from core.campaigns import service as campaigns
from core.models import Campaign
from jobs import nudges


def _int_value(body: dict[str, Any]) -> int:
    try:
        return int(body["actions"][0]["value"])
    except (KeyError, IndexError, ValueError):
        raise UserFacingError("That button no longer works.") from None


def _where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    container = body.get("container") or {}
    return container.get("channel_id"), container.get("message_ts")


def register(app: App, deps: Deps) -> None:
    """Register campaign and snooze buttons."""

    @app.action(Action.ACKNOWLEDGE)
    def on_ack(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        campaign_id = _int_value(body)
        user = body["user"]["id"]
        channel, ts = _where(body)
        with deps.runtime.db.session_scope() as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is not None and campaign.quiz:
                raise UserFacingError(
                    "This campaign needs the quiz passed first: use “Take the quiz”."
                )
            try:
                campaign, new = campaigns.acknowledge(
                    campaign_id, user, db_session=session, channel=channel, ts=ts
                )
            except campaigns.CampaignError as exc:
                raise UserFacingError(str(exc)) from None
            title = campaign.title
        if new and channel and ts:
            from core.models import utcnow

            client.chat_update(channel=channel, ts=ts, **acknowledged(title, utcnow(), None))

    @app.action(Action.TAKE_QUIZ)
    def on_quiz(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        with deps.runtime.db.session_scope() as session:
            campaign = session.get(Campaign, _int_value(body))
            if campaign is None or not campaign.quiz:
                raise UserFacingError("That campaign has no quiz any more.")
            view = quiz_modal(campaign.id, campaign.title, campaign.quiz)
        channel, ts = _where(body)
        view["private_metadata"] = f"{campaign.id}|{channel or ''}|{ts or ''}"
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.SNOOZE)
    def on_snooze(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        value = str(body["actions"][0].get("value", ""))
        request_id, _, days = value.partition(":")
        try:
            with deps.runtime.db.session_scope() as session:
                request = nudges.snooze(
                    int(request_id), int(days), db_session=session, user_id=body["user"]["id"]
                )
                until = request.snoozed_until
        except ValueError as exc:
            raise UserFacingError(str(exc)) from None
        channel, ts = _where(body)
        if channel and ts and until:
            client.chat_update(
                channel=channel,
                ts=ts,
                text=f"Snoozed: I'll remind you again on {until:%Y-%m-%d}.",
                blocks=[],
            )
