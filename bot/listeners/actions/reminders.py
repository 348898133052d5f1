"""The Snooze buttons of every reminder the engine sends (only its assignee may snooze)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.buttons import STALE, button_value
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.ids import Action
from bot.slack_text import parse_id
from core.localtime import local_day
from core.reminders import service as reminders
from jobs import people


def _item_and_days(body: dict[str, Any]) -> tuple[int, int]:
    """The button's value, `<item id>:<days>`; anything else is a stale or forged button."""
    item, _, days = button_value(body).partition(":")
    found = parse_id(item)
    if found is None or days not in {str(d) for d in reminders.SNOOZE_DAYS}:
        raise UserFacingError(STALE)
    return found, int(days)


def register(app: App, deps: Deps) -> None:
    """Register the reminders' Snooze buttons."""

    @app.action(Action.SNOOZE_ITEM)
    def on_snooze_item(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        item_id, days = _item_and_days(body)
        user = body["user"]["id"]
        default = deps.runtime.settings.zone
        with deps.runtime.db.session_scope() as session:
            done = reminders.snooze(item_id, days, db_session=session, user_id=user)
            zone = people.zone_of(user, db_session=session, default=default)
        container = body.get("container") or {}
        channel, ts = container.get("channel_id"), container.get("message_ts")
        if channel and ts:
            day = local_day(done.until, zone)
            client.chat_update(
                channel=channel, ts=ts, text=f"Snoozed: I'll remind you again on {day}.", blocks=[]
            )
