"""`incident`: anyone reports an incident through a short form; only the security team sees it."""

from __future__ import annotations

from bot.blocks.incident import report_modal
from bot.router import Command, ModalReply, Reply, Request
from bot.runtime import Runtime


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """Open the report form (other surfaces say where to report)."""
    return ModalReply(
        report_modal(),
        "Report an incident in Slack with `/compliance incident` (a private form opens), "
        "or tell the security team directly.",
    )


COMMAND = Command(
    name="incident",
    usage="incident",
    summary="report a security incident or event privately to the security team",
    examples=("incident",),
    handler=handle,
)
