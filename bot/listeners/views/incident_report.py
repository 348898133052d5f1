"""The report form: stored before the ack (refusals show under their field), then the team is told."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.ids import Block, View
from bot.incident_flow import announce
from bot.incident_form import as_field_error, parse_report
from core.incidents.service import IncidentError, report


def register(app: App, deps: Deps) -> None:
    """Register the report form."""

    @app.view(View.INCIDENT_REPORT)
    def on_report(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        given = parse_report(view, body["user"]["id"])
        # Stored before the ack: the form closes only once the report is on record.
        try:
            with deps.runtime.db.session_scope() as session:
                incident_id = report(given, db_session=session).id
        except IncidentError as exc:
            raise as_field_error(exc, Block.INCIDENT_WHAT) from None
        ack()
        announce(deps.runtime, client, incident_id)
