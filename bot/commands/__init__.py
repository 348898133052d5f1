"""The `/compliance` subcommands; each module holds one command and its handler."""

from __future__ import annotations

from bot.commands import (
    access_review,
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
    risks,  # risks and suppliers (issue 24)
    supplier,
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
        # --- risks and suppliers (issue 24) ---
        risks.COMMAND,
        supplier.COMMAND,
        # access reviews
        access_review.COMMAND,
        # --- incidents ---
        incident.COMMAND,
    ]
