"""The `compliance-bot` command line; each module adds its commands to the one root app."""

from bot.cli import (
    assistant,
    catalogue,
    evidence,
    incident,
    jobs,
    library,
    questionnaire,
    readiness,
)
from bot.cli.common import app, main

__all__ = [
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
]
