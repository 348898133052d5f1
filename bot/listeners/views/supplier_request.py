"""New-supplier modals: anyone's request, and the security team's decision with its reason."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.common import plain, submitted
from bot.deps import Deps
from bot.errors import FieldError
from bot.ids import Block, View
from bot.slack_text import parse_id
from bot.supplier_flow import post_request
from core.models import utcnow
from core.suppliers.requests import decide_request, file_request, request_problems

_FIELDS = {"name": Block.SUPPLIER_NAME, "purpose": Block.SUPPLIER_PURPOSE}


def register(app: App, deps: Deps) -> None:
    """Register the supplier request and decision modals."""

    @app.view(View.SUPPLIER_REQUEST)
    def on_request(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        name = submitted(view, Block.SUPPLIER_NAME) or ""
        purpose = submitted(view, Block.SUPPLIER_PURPOSE) or ""
        data = submitted(view, Block.SUPPLIER_DATA) or ""
        problems = request_problems(name, purpose, data)
        if problems:
            ack(response_action="errors", errors={_FIELDS[k]: v for k, v in problems.items()})
            return
        user = body["user"]["id"]
        with deps.runtime.db.session_scope() as session:
            request = file_request(
                name=name,
                purpose=purpose,
                data_shared=data,
                user_id=user,
                db_session=session,
                now=utcnow(),
            )
        ack()
        post_request(deps.runtime, client, request)
        client.chat_postMessage(
            channel=user, text=f"Your request for {plain(request.name)} went to the security team."
        )

    @app.view(View.SUPPLIER_DECISION)
    def on_decision(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        reason = (submitted(view, Block.SUPPLIER_REASON) or "").strip()
        if not reason:
            raise FieldError(
                "Give the reason: it is kept with the decision.", Block.SUPPLIER_REASON
            )
        user = body["user"]["id"]
        deps.runtime.team.require(user, "decide supplier requests")
        raw_id, _, verb = str(view.get("private_metadata") or "").partition(":")
        request_id = parse_id(raw_id) or 0
        with deps.runtime.db.session_scope() as session:
            request = decide_request(
                request_id,
                approve=verb == "approve",
                reason=reason,
                user_id=user,
                db_session=session,
                now=utcnow(),
            )
            outcome, name, asker = request.status, request.name, request.requested_by
            where = (request.channel, request.thread_ts)
        ack()
        said = f"The request for {plain(name)} was {outcome} by <@{user}>: {plain(reason)}"
        if where[0] and where[1]:
            client.chat_postMessage(channel=where[0], thread_ts=where[1], text=said)
        client.chat_postMessage(channel=asker, text=said)
