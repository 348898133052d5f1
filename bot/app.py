"""The bolt App factory shared by Socket Mode and HTTP mode."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot import listeners
from bot.commands import all_commands
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.idempotency import claim, request_key
from bot.router import Router
from bot.runtime import Runtime

log = logging.getLogger(__name__)


def _deliver_error(body: dict[str, Any], client: WebClient, message: str) -> None:
    """Tell the person who triggered the request, wherever they triggered it."""
    user = (
        body.get("user_id")
        or (body.get("user") or {}).get("id")
        or (body.get("event") or {}).get("user")
    )
    response_url = body.get("response_url") or next(
        (r.get("response_url") for r in body.get("response_urls", [])), None
    )
    if response_url:
        WebhookClient(response_url).send(text=message, response_type="ephemeral")
        return
    event = body.get("event") or {}
    channel = event.get("channel") or (body.get("channel") or {}).get("id")
    if channel and user:
        client.chat_postEphemeral(channel=channel, user=user, text=message)
    elif user:
        client.chat_postMessage(channel=user, text=message)


def build_app(runtime: Runtime, client: WebClient | None = None) -> App:
    """A bolt App with every listener registered, one error handler and once-only delivery."""
    settings = runtime.settings
    client = client or runtime.slack
    if client is None or settings.slack_signing_secret is None:
        raise UserFacingError(
            "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET must be set to run the Slack app"
        )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        token_verification_enabled=False,
        # Bolt acks in the request thread and runs listeners afterwards, so acks stay under 3 s.
        process_before_response=False,
    )
    router = Router(runtime, all_commands())
    deps = Deps(runtime, router)

    @app.middleware
    def once_only(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse | None:
        key = request_key(body)
        if key is not None:
            with runtime.db.session_scope() as session:
                first = claim(key, db_session=session)
            if not first:
                log.info("duplicate Slack request %s ignored", key)
                return BoltResponse(status=200, body="")
        return next()

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        if isinstance(error, UserFacingError):
            message = str(error)
        else:
            ref = uuid.uuid4().hex[:8].upper()
            log.error("request failed (reference %s)", ref, exc_info=error)
            message = (
                f":warning: Something went wrong on my side (reference `{ref}`). "
                "Please try again; if it keeps failing, give the security team that reference."
            )
        try:
            _deliver_error(body, app.client, message)
        except SlackApiError as exc:
            log.warning("could not deliver an error message: %s", exc.response.get("error"))

    listeners.register(app, deps)
    return app
