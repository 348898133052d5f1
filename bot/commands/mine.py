"""`mine`: my controls, evidence due and pending acknowledgements."""

from __future__ import annotations

from bot.blocks.home import home_blocks, mine_text
from bot.router import Command, Reply, Request, TextReply
from bot.runtime import Runtime
from core.home import home_for


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """List what the person owes: evidence and acknowledgements."""
    with runtime.db.session_scope() as session:
        # Personal even for the security team: their overview is in App Home and `readiness`.
        model = home_for(
            request.actor.user_id, is_security=False, db_session=session, email=request.actor.email
        )
    zone = runtime.settings.zone
    return TextReply(mine_text(model, zone), blocks=home_blocks(model, zone))


COMMAND = Command(
    name="mine",
    usage="mine",
    summary="my controls, evidence due and pending acknowledgements",
    examples=("mine",),
    handler=handle,
)
