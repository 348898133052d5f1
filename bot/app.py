"""The bolt App factory shared by Socket Mode and HTTP mode."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient

from bot import listeners
from bot.commands import all_commands
from bot.deps import Deps
from bot.errors import UserFacingError
from bot.guard import GuardedApp, report
from bot.idempotency import claim, request_key
from bot.inflight import RESUMED, WORK, InFlight
from bot.router import Router
from bot.runtime import Runtime

log = logging.getLogger(__name__)


def build_app(runtime: Runtime, client: WebClient | None = None) -> GuardedApp:
    """A bolt App with every listener registered and guarded, one error handler and once-only delivery."""
    settings = runtime.settings
    client = client or runtime.slack
    if client is None or settings.slack_signing_secret is None:
        raise UserFacingError(
            "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET must be set to run the Slack app"
        )
    app = GuardedApp(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        token_verification_enabled=False,
        # bolt answers Slack once ack() is called and runs listeners on its threads meanwhile;
        # ack_commands_now below keeps slash-command acks off those threads.
        process_before_response=False,
    )
    app.inflight = InFlight(runtime.db)
    router = Router(runtime, all_commands())
    deps = Deps(runtime, router)

    @app.middleware
    def once_only(
        body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        key = request_key(body)
        if key is not None and not context.get(RESUMED):
            # Recorded as pending with its body: a stop before the listener ends leaves it to resume.
            with runtime.db.session_scope() as session:
                first = claim(key, db_session=session, body=body)
            if not first:
                log.info("duplicate Slack request %s ignored", key)
                return BoltResponse(status=200, body="")
        context[WORK] = app.inflight.start(key)
        return next()

    @app.middleware
    def ack_commands_now(
        body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        # bolt runs a command's listener, and so its ack(), on one of five listener threads; when
        # they are all busy the ack would miss Slack's 3 s. A command's ack carries nothing: give it
        # here, in the request thread; the listener answers through response_url when it runs.
        if body.get("command") and context.ack is not None and not context.get(RESUMED):
            context.ack()
        return next()

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        # Listeners are guarded; this catches what fails around them (e.g. the middleware above).
        report(error, body, app.client)

    listeners.register(app, deps)
    return app
