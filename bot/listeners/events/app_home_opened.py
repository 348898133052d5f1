"""`app_home_opened`: publish the person's App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks.access_review import home_blocks as access_home_blocks
from bot.blocks.home import home_view
from bot.commands.readiness import home_readiness
from bot.deps import Deps
from core.access_reviews.pages import pending_for as access_pending
from core.home import home_for


def register(app: App, deps: Deps) -> None:
    """Publish App Home on open."""

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        is_security = deps.runtime.team.contains(user)
        with deps.runtime.db.session_scope() as session:
            model = home_for(user, is_security=is_security, db_session=session)
            access = access_pending(user, db_session=session)  # access reviews
        readiness = home_readiness(deps.runtime) if is_security else None
        zone = deps.runtime.settings.zone
        view = home_view(model, zone, readiness)
        waiting = access_home_blocks(access, zone)
        if waiting and "Nothing waiting" in str(view["blocks"][1:2]):
            view["blocks"].pop(1)  # accounts to review are waiting
        view["blocks"][1:1] = waiting
        client.views_publish(user_id=user, view=view)
