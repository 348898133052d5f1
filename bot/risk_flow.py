"""Risk reviews in Slack: the card for a risk's current version, and telling the security team."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.common import Block
from bot.blocks.risks import approval_blocks, risk_card
from bot.errors import UserFacingError
from bot.runtime import Runtime
from core.risks.describe import describe_risk
from core.risks.models import Risk
from core.risks.scale import RiskScale

log = logging.getLogger(__name__)


def scale(runtime: Runtime) -> RiskScale:
    """The risk scale the settings define."""
    return RiskScale.from_settings(runtime.settings)


def content(runtime: Runtime, risk_id: int) -> dict[str, Any]:
    """The risk's current version as card data (read in its own short unit of work)."""
    with runtime.db.session_scope() as session:
        risk = session.get(Risk, risk_id)
        if risk is None:
            raise UserFacingError("That risk is no longer in the register.")
        return describe_risk(risk, scale=scale(runtime), db_session=session)


def card(runtime: Runtime, risk_id: int, *, note: str | None = None) -> list[Block]:
    """The review card of the risk's current version."""
    return risk_card(content(runtime, risk_id), note=note)


def ask_approval(runtime: Runtime, client: WebClient, risk_id: int) -> None:
    """Post the owner's acceptance to SECURITY_CHANNEL for an approver; a failure is logged."""
    channel = runtime.settings.security_channel
    if not channel:
        log.warning("risk %s awaits approval but SECURITY_CHANNEL is not set", risk_id)
        return
    data = content(runtime, risk_id)
    try:
        client.chat_postMessage(
            channel=channel,
            text=f"Approval needed: acceptance of {data['title']}",
            blocks=approval_blocks(data),
        )
    except SlackApiError as exc:
        log.warning("could not ask for approval: %s", exc.response.get("error"))
