"""Event listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.events import (
    app_home_opened,
    app_mention,
    file_shared,
    incident_thread,
    message_im,
)


def register(app: App, deps: Deps) -> None:
    """Register event listeners."""
    # --- incidents: before message_im, which takes every other `message` event ---
    incident_thread.register(app, deps)
    app_mention.register(app, deps)
    message_im.register(app, deps)
    app_home_opened.register(app, deps)
    file_shared.register(app, deps)
