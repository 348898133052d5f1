"""Evidence modals: the submission modal and the rejection comment."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.common import submitted
from bot.blocks.evidence import handed_in_text
from bot.deps import Deps
from bot.evidence_flow import post_reviews, record
from bot.ids import Block, View
from bot.listeners.actions.evidence import notify_owner
from bot.slack_text import parse_id
from core.evidence.handin import control_of_request
from core.evidence.reviewing import decide


def register(app: App, deps: Deps) -> None:
    """Register evidence modals."""

    @app.view(View.EVIDENCE)
    def on_evidence(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        text = (submitted(view, Block.EVIDENCE_TEXT) or "").strip()
        link = (submitted(view, Block.EVIDENCE_LINK) or "").strip() or None
        picked = submitted(view, Block.EVIDENCE_DATE, "selected_date")
        if not text and not link:
            ack(response_action="errors", errors={Block.EVIDENCE_TEXT: "Add a sentence or a link."})
            return
        if link and not link.startswith(("http://", "https://")):
            ack(
                response_action="errors",
                errors={Block.EVIDENCE_LINK: "Use a full link starting with https://"},
            )
            return
        user = body["user"]["id"]
        with deps.runtime.db.session_scope() as session:
            request_id = parse_id(str(view.get("private_metadata") or ""))
            control = control_of_request(request_id, db_session=session)
        # Recorded before the ack: a refusal (request gone, already accepted) shows in the modal
        # and the write-up stays there; Slack is told only after the evidence is committed.
        effective = date.fromisoformat(picked) if picked else None
        result = record(
            deps.runtime, deps.actor(user), [control], text=text, link=link, effective=effective
        )
        ack()
        post_reviews(deps.runtime, result)
        client.chat_postMessage(channel=user, text=handed_in_text(result))

    @app.view(View.REJECT)
    def on_reject(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        comment = (submitted(view, Block.REJECT_COMMENT) or "").strip()
        if not comment:
            ack(response_action="errors", errors={Block.REJECT_COMMENT: "Say what is missing."})
            return
        user = body["user"]["id"]
        deps.runtime.team.require(user, "reject evidence")
        request_id = parse_id(str(view.get("private_metadata") or "")) or 0
        # Decided before the ack: if someone reviewed it meanwhile, the modal says so and the
        # comment is not lost.
        with deps.runtime.db.session_scope() as session:
            verdict = decide(
                request_id, accept=False, reviewer=user, comment=comment, db_session=session
            )
        ack()
        notify_owner(client, verdict)
