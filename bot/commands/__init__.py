"""The `/compliance` subcommands; each module holds one command and its handler."""

from __future__ import annotations

from bot.commands import (
    ask,
    campaign,
    evidence,
    export,
    help,
    incident,
    mine,
    questionnaire,
    readiness,
    report,
)
from bot.router import Command


def all_commands() -> list[Command]:
    """Every subcommand, in the order help lists them."""
    return [
        help.COMMAND,
        ask.COMMAND,
        mine.COMMAND,
        evidence.COMMAND,
        campaign.COMMAND,
        export.COMMAND,
        report.COMMAND,
        readiness.COMMAND,
        questionnaire.COMMAND,
        # --- incidents ---
        incident.COMMAND,
    ]
