"""The edit-and-approve modal: the corrected answer enters the answer library."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import questionnaire_flow as flow
from bot.blocks.common import submitted
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.ids import Block, View


def register(app: App, deps: Deps) -> None:
    """Register the edit-and-approve modal."""

    @app.view(View.QUESTIONNAIRE_EDIT)
    def on_questionnaire_edit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        answer = (submitted(view, Block.QUESTIONNAIRE_ANSWER) or "").strip()
        if not answer:
            ack(
                response_action="errors",
                errors={Block.QUESTIONNAIRE_ANSWER: "Write the answer to approve."},
            )
            return
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            row_id, channel, ts = int(meta["item"]), str(meta["channel"]), str(meta["ts"])
            rows, thread = [int(n) for n in meta["rows"]], str(meta["thread"])
        except (ValueError, KeyError, TypeError):
            raise UserFacingError(
                "This form no longer works; press Edit and approve again."
            ) from None
        user = body["user"]["id"]
        # Checked before the ack: a refusal shows in the modal and nothing typed is lost.
        flow.reviewable(deps.runtime, row_id, user, channel)
        item = flow.approve(deps.runtime, row_id, user, answer)
        ack()
        if channel and ts:
            flow.redraw(deps.runtime, client, channel, ts, rows)
            client.chat_postMessage(
                channel=channel, thread_ts=thread, text=flow.approved_text(item)
            )
