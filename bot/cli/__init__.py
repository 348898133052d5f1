"""The `compliance-bot` command line; each module adds its commands to the one root app."""

from bot.cli import (
    access_review,
    assistant,
    catalogue,
    evidence,
    incident,
    jobs,
    library,
    questionnaire,
    readiness,
    risk,  # risks and suppliers (issue 24)
    supplier,
)
from bot.cli.common import app, main

__all__ = [
    "access_review",
    "app",
    "assistant",
    "catalogue",
    "evidence",
    "incident",
    "jobs",
    "library",
    "main",
    "questionnaire",
    "readiness",
    "risk",
    "supplier",
]
