"""The risk Update modal: new scores, treatment and plan become the risk's next version."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import risk_flow
from bot.blocks.common import submitted
from bot.blocks.risks import parse_value
from bot.deps import Deps
from bot.errors import FieldError
from bot.ids import Block, View
from core.models import utcnow
from core.risks.review import RiskUpdate, update_problems, update_risk
from core.risks.service import StaleRiskError

_FIELDS = {
    "likelihood": Block.RISK_LIKELIHOOD,
    "impact": Block.RISK_IMPACT,
    "residual_likelihood": Block.RISK_RESIDUAL_LIKELIHOOD,
    "residual_impact": Block.RISK_RESIDUAL_IMPACT,
    "treatment": Block.RISK_TREATMENT,
    "plan": Block.RISK_PLAN,
}


def read_update(view: dict[str, Any]) -> RiskUpdate:
    """The modal's inputs; a score that is not a whole number is 0 (refused as out of scale)."""

    def number(block: str) -> int:
        typed = (submitted(view, block) or "").strip()
        return int(typed) if typed.isdigit() else 0

    picked = submitted(view, Block.RISK_TREATMENT, "selected_option") or {}
    return RiskUpdate(
        likelihood=number(Block.RISK_LIKELIHOOD),
        impact=number(Block.RISK_IMPACT),
        residual_likelihood=number(Block.RISK_RESIDUAL_LIKELIHOOD),
        residual_impact=number(Block.RISK_RESIDUAL_IMPACT),
        treatment=str(picked.get("value", "")),
        plan=submitted(view, Block.RISK_PLAN) or "",
    )


def _save(deps: Deps, found: tuple[int, int], update: RiskUpdate, user: str) -> str:
    """Save the update in one unit of work; what to tell the owner."""
    with deps.runtime.db.session_scope() as session:
        risk = update_risk(
            found[0],
            update,
            version=found[1],
            user_id=user,
            scale=risk_flow.scale(deps.runtime),
            db_session=session,
            now=utcnow(),
        )
        return f"{risk.ref} saved as version {risk.version}."


def register(app: App, deps: Deps) -> None:
    """Register the risk Update modal."""

    @app.view(View.RISK_UPDATE)
    def on_update(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        update = read_update(view)
        problems = update_problems(update, risk_flow.scale(deps.runtime))
        if problems:
            ack(response_action="errors", errors={_FIELDS[k]: v for k, v in problems.items()})
            return
        found = parse_value(str(view.get("private_metadata") or ""))
        if found is None:
            raise FieldError(
                "This form no longer works; open the card again.", Block.RISK_LIKELIHOOD
            )
        user = body["user"]["id"]
        # Saved before the ack: a refusal (not the owner, a newer version) shows in the modal.
        try:
            saved = _save(deps, found, update, user)
        except StaleRiskError as stale:
            ack(response_action="errors", errors={Block.RISK_LIKELIHOOD: str(stale)[:300]})
            # Nothing typed is lost (the modal stays open) and the newer version comes as a DM.
            client.chat_postMessage(
                channel=user, text=str(stale), blocks=risk_flow.card(deps.runtime, stale.risk_id)
            )
            return
        ack()
        client.chat_postMessage(
            channel=user, text=saved, blocks=risk_flow.card(deps.runtime, found[0], note=saved)
        )
