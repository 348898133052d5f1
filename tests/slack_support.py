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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import waitress

from bot.app import build_app
from bot.http import wsgi_app
from bot.runtime import Runtime

SECRET = "test-secret"
# Slack gives up on a request (and shows the person an error) when the ack takes longer than this.
ACK_DEADLINE_S = 3.0


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Response:
    """Status, body and round-trip time of a request to the app, as Slack would see them."""

    status: int
    body: str
    elapsed: float = 0.0

    def json(self) -> Any:
        """The body parsed as JSON (e.g. a modal's response_action)."""
        return json.loads(self.body)

    def view_errors(self) -> dict[str, str]:
        """The errors a view submission's ack shows in the modal ({} when the modal closes)."""
        if not self.body:
            return {}
        reply = self.json()
        assert reply.get("response_action") == "errors", reply
        return dict(reply["errors"])


def assert_acked(response: Response, status: int = 200) -> None:
    """Slack got the expected status within its deadline (a 404 or timeout shows an error banner)."""
    assert response.status == status, (response.status, response.body)
    assert response.elapsed < ACK_DEADLINE_S, f"ack took {response.elapsed:.2f} s"


class SlackAppServer:
    """The app served by waitress on an ephemeral loopback port."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.app = build_app(runtime)
        self.server = waitress.create_server(
            wsgi_app(self.app, runtime), host="127.0.0.1", port=0, threads=4
        )
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.responses: list[Response] = []  # every response to a POST, in order
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
        expect: int | None = 200,
    ) -> Response:
        """POST /slack/events with Slack's signature headers; by default assert a 200 within 3 s.

        expect=None skips the check (for tests that assert the status themselves).
        """
        ts = str(int(time.time()) if timestamp is None else timestamp)
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts}
        if sign:
            all_headers["X-Slack-Signature"] = signature(secret, ts, body)
        all_headers.update(headers or {})
        req = urllib.request.Request(
            self.base + "/slack/events", data=body, headers=all_headers, method="POST"
        )
        start = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, text = resp.status, resp.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode(errors="replace")
        response = Response(status, text, time.monotonic() - start)
        self.responses.append(response)
        if expect is not None:
            assert_acked(response, expect)
        return response

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


def first_button(message: dict[str, Any]) -> dict[str, Any]:
    """The first button of a posted message's actions blocks."""
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]][0]


def click(
    app: SlackAppServer, button: dict[str, Any], *, user: str, channel: str, response_url: str
) -> Response:
    """Click a button a message carried, as `user` in `channel`."""
    return app.interaction(
        block_action(
            button["action_id"],
            button["value"],
            user=user,
            channel=channel,
            response_url=response_url,
        )
    )


MARKER_CHANNEL = "CMARK"  # where answer_marker's mention is answered


def answer_marker(app: SlackAppServer, fake_slack: Any, *, event_id: str = "EvMarker") -> Any:
    """Mention the bot in MARKER_CHANNEL and wait for its answer there; that chat.postMessage call.

    A positive signal for tests that check something did NOT happen: the app has taken in and
    handled the requests sent before this one (bolt starts listeners in the order requests came),
    so whatever they would have called has been called by the time this answer is seen.
    """
    event = {
        "type": "app_mention",
        "user": "UALICE",
        "channel": MARKER_CHANNEL,
        "ts": "0.1",
        "text": "<@UBOT> help",
    }
    app.event(event, event_id=event_id)
    return fake_slack.wait_for_match(
        "chat.postMessage", lambda call: call.params.get("channel") == MARKER_CHANNEL
    )


def is_marker(call: Any) -> bool:
    """Whether a recorded call is answer_marker's own answer."""
    return bool(call.method == "chat.postMessage" and call.params.get("channel") == MARKER_CHANNEL)


# Looked up for any mention, the marker's too: the bot's own identity and the security team's group.
MENTION_LOOKUPS = {"auth.test", "usergroups.users.list"}


def calls_besides_the_marker(fake_slack: Any) -> list[str]:
    """Methods called other than for answer_marker's mention (its lookups and its answer)."""
    return [
        c.method for c in fake_slack.calls if c.method not in MENTION_LOOKUPS and not is_marker(c)
    ]


def view_submission(
    callback_id: str,
    values: dict[str, Any],
    *,
    user: str = "UALICE",
    view_id: str = "V1",
    view_hash: str = "h",
    metadata: str = "",
    trigger_id: str | None = None,
    input_blocks: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A view_submission payload for a modal whose inputs hold `values` (block -> action -> state)."""
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "view": {
            "id": view_id,
            "type": "modal",
            "hash": view_hash,
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {"values": values},
        },
    }
    if trigger_id is not None:
        payload["trigger_id"] = trigger_id
    if input_blocks:  # the modal's input blocks, where errors are shown
        payload["view"]["blocks"] = [{"type": "input", "block_id": b} for b in input_blocks]
    return payload


def wait_until(predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll until predicate returns something truthy, and return it; fail after `timeout` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def send_dm(
    app: SlackAppServer,
    text: str,
    *,
    user: str = "UALICE",
    files: list[dict[str, Any]] | None = None,
    event_id: str = "EvDM",
    ts: str | None = None,
) -> str:
    """A direct message to the bot, with files shared in it when given; the message's ts."""
    event: dict[str, Any] = {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "channel": f"D{user[1:]}",
        "ts": ts or str(time.time()),
        "text": text,
    }
    if files:
        event["subtype"] = "file_share"
        event["files"] = files
    app.event(event, event_id=event_id)  # asserts 200 within Slack's 3 s
    return str(event["ts"])


def fast_app(settings: Any) -> SlackAppServer:
    """The real app over HTTP with the fake embedder: for tests about Slack, not about search."""
    from tests.fakes import FakeEmbedder

    return SlackAppServer(Runtime(settings, embedder=FakeEmbedder()))
