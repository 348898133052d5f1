"""`questionnaire help`: how the security team answers customers' security questionnaires."""

from __future__ import annotations

from bot.blocks.questionnaire import HELP
from bot.errors import UsageError
from bot.router import Command, Reply, Request, TextReply
from bot.runtime import Runtime


def handle(runtime: Runtime, request: Request, args: str) -> Reply:
    """Explain the questionnaire flow and who may use it."""
    if args.strip().lower() not in {"", "help"}:
        raise UsageError(
            "Use `/compliance questionnaire help`; send the file to me by DM.", "questionnaire"
        )
    return TextReply(f"{HELP}\nWho can send questionnaires: {runtime.team.describe()}.")


COMMAND = Command(
    name="questionnaire",
    usage="questionnaire help",
    summary="how to have a security questionnaire answered (security team: DM me the file)",
    examples=("questionnaire help",),
    handler=handle,
)
