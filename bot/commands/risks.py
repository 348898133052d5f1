"""`risks`: the security team's view of the highest residual risks and what is overdue."""

from __future__ import annotations

from bot.blocks.common import section
from bot.blocks.risks import overview_text
from bot.risk_flow import scale
from bot.router import Command, Reply, Request, TextReply
from bot.runtime import Runtime
from core.models import utcnow
from core.risks.overview import overview

TOP = 10


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """The ten highest residual risks, overdue reviews and overdue treatment actions."""
    now = utcnow()
    with runtime.db.session_scope() as session:
        found = overview(
            db_session=session, scale=scale(runtime), now=now, zone=runtime.settings.zone, top=TOP
        )
    text = overview_text(found.top, found.overdue)
    return TextReply(text, blocks=[section(text)])


COMMAND = Command(
    name="risks",
    usage="risks",
    summary="the highest residual risks and the overdue reviews and treatment actions",
    examples=("risks",),
    handler=handle,
    security_only=True,
)
