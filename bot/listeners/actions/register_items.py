"""Buttons on register reminders: a treatment action done, a supplier reviewed (owners only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.buttons import button_id
from bot.deps import Deps
from bot.ids import Action
from core.models import utcnow
from core.risks.service import complete_action
from core.suppliers.service import mark_reviewed


def register(app: App, deps: Deps) -> None:
    """Register the register reminders' buttons."""

    @app.action(Action.RISK_ACTION_DONE)
    def on_action_done(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        with deps.runtime.db.session_scope() as session:
            action = complete_action(
                button_id(body), user_id=user, db_session=session, now=utcnow()
            )
            said = f"Treatment action '{action.text}' marked done by <@{user}>."
        respond(replace_original=True, text=said)

    @app.action(Action.SUPPLIER_REVIEWED)
    def on_reviewed(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        with deps.runtime.db.session_scope() as session:
            supplier = mark_reviewed(
                button_id(body), user_id=user, db_session=session, now=utcnow()
            )
            said = (
                f"{supplier.name} reviewed by <@{user}>; next review "
                f"{supplier.next_review_at:%Y-%m-%d}."
            )
        respond(replace_original=True, text=said)
