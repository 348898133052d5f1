"""Slash command listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.commands import compliance


def register(app: App, deps: Deps) -> None:
    """Register slash commands."""
    compliance.register(app, deps)
