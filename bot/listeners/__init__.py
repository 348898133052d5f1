"""Listener packages; nothing registers itself by import."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners import actions, commands, events, views


def register(app: App, deps: Deps) -> None:
    """Register every listener on app."""
    events.register(app, deps)
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
