"""Running the real app in HTTP mode and sending it requests signed exactly as Slack signs them."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import waitress

from bot.app import build_app
from bot.http import wsgi_app
from bot.runtime import Runtime

SECRET = "test-secret"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Response:
    """Status and body of a request to the app."""

    status: int
    body: str


class SlackAppServer:
    """The app served by waitress on an ephemeral loopback port."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.app = build_app(runtime)
        self.server = waitress.create_server(
            wsgi_app(self.app, runtime), host="127.0.0.1", port=0, threads=4
        )
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.effective_port}"  # type: ignore[union-attr]

    def _serve(self) -> None:
        # close() shuts the socket under select(): that OSError is how waitress stops here.
        with contextlib.suppress(OSError):
            self.server.run()

    def close(self) -> None:
        """Stop serving."""
        self.server.close()
        self.thread.join(timeout=5)

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        secret: str = SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
        sign: bool = True,
    ) -> Response:
        """POST /slack/events with Slack's signature headers."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts}
        if sign:
            all_headers["X-Slack-Signature"] = signature(secret, ts, body)
        all_headers.update(headers or {})
        req = urllib.request.Request(
            self.base + "/slack/events", data=body, headers=all_headers, method="POST"
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return Response(resp.status, resp.read().decode())
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.read().decode())

    def event(self, event: dict[str, Any], *, event_id: str = "Ev1", **kwargs: Any) -> Response:
        """Deliver an Events API callback."""
        payload = {
            "token": "x",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        }
        return self.post(json.dumps(payload).encode(), "application/json", **kwargs)

    def command(
        self, text: str, *, user: str = "UALICE", response_url: str, **kwargs: Any
    ) -> Response:
        """Deliver a /compliance slash command."""
        form = {
            "token": "x",
            "team_id": "T1",
            "channel_id": "CGEN",
            "user_id": user,
            "command": "/compliance",
            "text": text,
            "response_url": response_url,
            "trigger_id": f"trig-{time.monotonic_ns()}",
        }
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded", **kwargs)

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> Response:
        """Deliver an interactivity payload (block_actions, view_submission)."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def get(self, path: str) -> Response:
        """GET a path on the app."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as resp:
                return Response(resp.status, resp.read().decode())
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.read().decode())


def block_action(
    action_id: str, value: str, *, user: str = "UALICE", channel: str = "CGEN", **extra: Any
) -> dict[str, Any]:
    """A block_actions payload for one button."""
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "trigger_id": f"trig-{time.monotonic_ns()}",
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "message_ts": "1.1"},
        "message": {"ts": "1.1", "text": ""},
        "response_url": extra.pop("response_url", "http://127.0.0.1:9/none"),
        "actions": [
            {
                "action_id": action_id,
                "value": value,
                "type": "button",
                "action_ts": str(time.time()),
            }
        ],
        **extra,
    }
