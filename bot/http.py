"""HTTP mode: a WSGI app with POST /slack/events and GET /healthz, served by waitress."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Slack's payloads are a few kilobytes; anything bigger is refused before it is read into memory.
MAX_BODY_BYTES = 4 * 1024 * 1024
# Slack's rule: a signature older than five minutes may be a replay.
MAX_SIGNATURE_AGE_S = 5 * 60


class Refused(Exception):
    """A request answered with a 4xx before bolt sees it."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_body(environ: dict[str, Any]) -> bytes:
    """The raw request body, refused (413) when it is larger than MAX_BODY_BYTES."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused("400 Bad Request", "Content-Length is not a number.") from None
    if length > MAX_BODY_BYTES:
        raise Refused(
            "413 Payload Too Large", f"Request bodies are limited to {MAX_BODY_BYTES} bytes."
        )
    stream = environ.get("wsgi.input")
    return stream.read(length) if stream is not None and length > 0 else b""


def verify_signature(environ: dict[str, Any], body: bytes, secret: str) -> None:
    """Slack's v0 signature over the raw bytes (401), checked before anything parses them."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
    signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
    if not timestamp or not signature:
        raise Refused("401 Unauthorized", "The request is not signed.")
    # Seconds since 1970 have ten digits; a longer run of digits is not a time (and int() refuses it).
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise Refused("400 Bad Request", "X-Slack-Request-Timestamp is not a number.")
    if abs(time.time() - int(timestamp)) > MAX_SIGNATURE_AGE_S:
        raise Refused("401 Unauthorized", "The request's signature has expired.")
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise Refused("401 Unauthorized", "The request's signature does not match.")


def check_parses(environ: dict[str, Any], body: bytes) -> None:
    """Parse the body as bolt will (400 when it cannot), so bolt never fails on it."""
    try:
        text = body.decode("utf-8")
        if environ.get("CONTENT_TYPE") == "application/json" or text.startswith("{"):
            parsed: Any = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            parsed = json.loads(form["payload"]) if "payload" in form else form
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Refused(
            "400 Bad Request", f"The request body cannot be read: {type(exc).__name__}."
        ) from None
    if not isinstance(parsed, dict):
        raise Refused("400 Bad Request", "The request body is not a JSON object.")
    if not _shaped_like_slack(parsed):
        raise Refused("400 Bad Request", "The request body is not shaped like Slack's payloads.")


# Top-level fields bolt reads without checking their type: the object Slack sends, or an ID.
_OBJECTS = {"view", "container", "channel", "message", "event", "state"}
_OBJECTS_OR_IDS = {"user", "team", "enterprise"}
_LISTS_OF_OBJECTS = {"actions", "authorizations"}


def _shaped_like_slack(body: dict[str, Any]) -> bool:
    for key, value in body.items():
        if value is None:
            continue
        if key in _OBJECTS and not isinstance(value, dict):
            return False
        if key in _OBJECTS_OR_IDS and not isinstance(value, dict | str):
            return False
        if key in _LISTS_OF_OBJECTS and not (
            isinstance(value, list) and all(isinstance(v, dict) for v in value)
        ):
            return False
    return True


def _send(start_response: Callable[..., Any], status: str, body: bytes, ctype: str) -> list[bytes]:
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]


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
    """The WSGI callable: Slack's endpoint (capped, signature-checked, parsed) plus a health check."""
    slack = SlackRequestHandler(app, path="/slack/events")
    configured = runtime.settings.slack_signing_secret
    assert configured is not None  # build_app refuses to start without it
    secret = configured.get_secret_value()

    def events(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            body = read_body(environ)
            verify_signature(environ, body, secret)
            check_parses(environ, body)
        except Refused as exc:
            log.info("Slack request refused: %s %s", exc.status, exc)
            return _send(start_response, exc.status, str(exc).encode(), "text/plain; charset=utf-8")
        checked = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        try:
            return slack(checked, start_response)
        except Exception as exc:  # noqa: BLE001 - bolt reading a signed body of an unexpected shape
            log.warning("Slack request could not be read: %r", exc)
            return _send(
                start_response, "400 Bad Request", b"The request cannot be read.", "text/plain"
            )

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
        if environ.get("PATH_INFO") == "/slack/events" and environ.get("REQUEST_METHOD") == "POST":
            return events(environ, start_response)
        return slack(environ, start_response)

    return application
