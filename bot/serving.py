"""Serving until SIGTERM/SIGINT, then stopping gracefully: no acknowledged request is lost."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from types import FrameType
from typing import Any

from bot.guard import GuardedApp
from bot.inflight import resume_unfinished
from bot.runtime import Runtime

log = logging.getLogger(__name__)


def stop_on_signals() -> threading.Event:
    """An event set by the first SIGTERM or SIGINT (installed from the main thread only)."""
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received signal %s: stopping", signum)
        stopping.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    return stopping


def resume_in_background(app: GuardedApp, runtime: Runtime) -> None:
    """Take up work a previous process acknowledged and did not finish, beside new traffic."""

    def run() -> None:
        try:
            count = resume_unfinished(app, runtime.db)
        except Exception:  # noqa: BLE001 - serving goes on; the rows stay for the next start
            log.exception("could not resume unfinished Slack requests")
            return
        if count:
            log.info("resumed %d unfinished Slack request(s)", count)

    threading.Thread(target=run, name="resume", daemon=True).start()


def drain(app: GuardedApp, grace: float) -> int:
    """Wait up to grace seconds for listeners; record the rest as abandoned; how many were left."""
    if app.inflight.wait_idle(grace):
        log.info("stopped: every acknowledged request was finished")
        return 0
    left = app.inflight.abandon_rest()
    log.warning(
        "stopped with %d request(s) unfinished after %.0f s; the next start finishes them",
        len(left),
        grace,
    )
    return len(left)


def _stop_accepting(server: Any) -> None:
    """Close the listening socket from waitress's own loop thread (new connections are refused)."""

    def close_listener() -> None:
        server.accepting = False
        server.del_channel()
        with contextlib.suppress(OSError):
            server.socket.close()

    server.trigger.pull_trigger(close_listener)


def serve_http(app: GuardedApp, runtime: Runtime, *, host: str, port: int, wsgi: Any) -> int:
    """Serve the WSGI app with waitress until a signal, then stop gracefully; requests left over."""
    import waitress

    from bot.http import MAX_BODY_BYTES

    stopping = stop_on_signals()
    server: Any = waitress.create_server(
        wsgi,
        host=host,
        port=port,
        threads=8,
        ident="compliance-bot",
        # waitress itself refuses bigger bodies (413) instead of spooling them to disk first.
        max_request_body_size=MAX_BODY_BYTES,
    )
    loop = threading.Thread(target=server.run, name="http", daemon=True)
    loop.start()
    resume_in_background(app, runtime)
    stopping.wait()
    _stop_accepting(server)
    # The loop keeps running meanwhile, so acks already being answered still reach Slack.
    return drain(app, runtime.settings.shutdown_grace_seconds)


def serve_socket(app: GuardedApp, runtime: Runtime) -> int:
    """Serve over Socket Mode until a signal, then stop gracefully; requests left over."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    assert runtime.settings.slack_app_token is not None
    stopping = stop_on_signals()
    handler = SocketModeHandler(
        app,
        app_token=runtime.settings.slack_app_token.get_secret_value(),
        web_client=app.client,
    )
    handler.connect()
    resume_in_background(app, runtime)
    stopping.wait()
    handler.close()  # Slack sends nothing more here; unacknowledged envelopes go to another connection
    return drain(app, runtime.settings.shutdown_grace_seconds)
