"""`file_shared`: acknowledged only; the DM `message` that carries the file does the work."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Ack file_shared so Slack does not retry it and bolt does not warn."""

    @app.event("file_shared")
    def on_file_shared() -> None:
        # The same upload also arrives as a message (subtype file_share) with its text, which
        # names the control; handling it twice would submit the evidence twice.
        return None
