"""`supplier request` (anyone: opens the request modal); a DM with a file naming a supplier keeps it."""

from __future__ import annotations

from bot.blocks.suppliers import request_modal
from bot.errors import UsageError
from bot.router import Command, ModalReply, Reply, Request, TextReply
from bot.runtime import Runtime
from bot.slack_text import first_word
from bot.supplier_flow import USAGE, take_file


def claims(runtime: Runtime, request: Request) -> bool:
    """A file DMed with a message starting `supplier` is that supplier's report or certificate."""
    return bool(request.files) and first_word(request.parsed.text)[0].lower() == "supplier"


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """Open the request modal, or keep a DMed report or certificate for the supplier it names."""
    if request.files:
        words = args.split(None, 1)[1] if args.lower().startswith("supplier") else args
        replies = [take_file(runtime, request.actor, words, f["id"]) for f in request.files]
        return TextReply("\n".join(replies))
    if first_word(args)[0].lower() == "request":
        return ModalReply(
            request_modal(),
            fallback="Ask for a new supplier in Slack: `/compliance supplier request`.",
        )
    raise UsageError(f"Use `supplier request`, or DM me a report with {USAGE}.", "supplier")


COMMAND = Command(
    name="supplier",
    usage="supplier request",
    summary="ask for a new supplier (or DM me a supplier's report or certificate)",
    examples=("supplier request", "supplier SUP-AWS soc2 expires 2027-09-30 (with the file)"),
    handler=handle,
    claims=claims,
)
