"""`help [subcommand]`."""

from __future__ import annotations

from bot.router import Command, HelpReply, Reply, Request
from bot.runtime import Runtime
from bot.slack_text import first_word


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """Show help for everything, or for one subcommand."""
    return HelpReply(first_word(args)[0].lower() or None)


COMMAND = Command(
    name="help",
    usage="help [subcommand]",
    summary="list what I can do",
    examples=("help", "help ask"),
    handler=handle,
)
