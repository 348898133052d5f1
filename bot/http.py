"""HTTP mode: a WSGI app with POST /slack/events and GET /healthz, served by waitress."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot.runtime import Runtime


def health(runtime: Runtime) -> tuple[bool, dict[str, Any]]:
    """Whether the database answers and the search index is loaded."""
    checks: dict[str, Any] = {}
    try:
        with runtime.db.session_scope() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised: this is the health check
        checks["database"] = f"error: {type(exc).__name__}"
    checks["search_index"] = "ok" if runtime.search_ready else "loading"
    return all(v == "ok" for v in checks.values()), checks


def wsgi_app(app: App, runtime: Runtime) -> Callable[..., Iterable[bytes]]:
    """The WSGI callable: Slack's endpoint plus a health check."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in {
            "GET",
            "HEAD",
        }:
            ok, checks = health(runtime)
            body = json.dumps({"ok": ok, **checks}).encode()
            start_response(
                "200 OK" if ok else "503 Service Unavailable",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return slack(environ, start_response)

    return application
