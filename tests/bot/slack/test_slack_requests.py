"""Malformed, unsigned and oversized requests get a 4xx before bolt parses them, never a 5xx."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from bot.http import MAX_BODY_BYTES
from bot.runtime import Runtime
from core.config import Settings
from tests.slack_support import SlackAppServer, signature

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest.fixture
def app(slack_settings: Settings) -> Iterator[SlackAppServer]:
    """The real app over HTTP; no request here gets as far as answering a question."""
    server = SlackAppServer(Runtime(slack_settings))
    yield server
    server.close()


MALFORMED = {
    "truncated JSON": (b'{"type": "event_callback", "event": {"type": "app_me', JSON),
    "not UTF-8": (b'{"type": "event_callback", "text": "\xff\xfe\xfa"}', JSON),
    "payload that is not JSON": (urlencode({"payload": "{not json"}).encode(), FORM),
    "deeply nested JSON": (b"{" + b'"a":[' * 100_000 + b"]" * 100_000 + b"}", JSON),
    "deeply nested payload": (urlencode({"payload": "[" * 100_000}).encode(), FORM),
    "JSON that is not an object": (b"[1, 2, 3]", JSON),
    "payload that is a number": (urlencode({"payload": "12"}).encode(), FORM),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_body_is_401_unsigned_and_400_signed(app: SlackAppServer, case: str) -> None:
    body, content_type = MALFORMED[case]
    app.post(body, content_type, sign=False, expect=401)
    app.post(body, content_type, secret="wrong-secret", expect=401)
    refused = app.post(body, content_type, expect=400)
    assert "cannot be read" in refused.body or "not a JSON object" in refused.body


def test_non_numeric_timestamp_is_400(app: SlackAppServer) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
    for stamp in ("soon", "1e9", "1700000000.5", "9" * 5000):
        headers = {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature("test-secret", stamp, body),
        }
        response = app.post(body, JSON, headers=headers, expect=400)
        assert "X-Slack-Request-Timestamp" in response.body


def test_body_over_the_cap_is_413_signed_or_not(app: SlackAppServer) -> None:
    body = b"x" * (MAX_BODY_BYTES + 1)
    app.post(body, FORM, sign=False, expect=413)
    assert "limited to" in app.post(body, FORM, expect=413).body
    # A body just under the cap is read and checked as usual.
    app.post(b"x" * (MAX_BODY_BYTES - 10), FORM, sign=False, expect=401)


# (payload, status as a form post, status as JSON): refused as unreadable (400), no listener for
# it (404, bolt's "unhandled request"), or acked (200). Slack sends none of these shapes.
ODD_SHAPES = [
    ({"type": "block_actions", "team": 5, "user": 7, "actions": "x"}, 400, 400),
    ({"type": "view_submission", "view": "x", "user": None}, 400, 400),
    ({"type": "event_callback", "event": [], "authorizations": "x"}, 400, 400),
    ({"type": "event_callback", "event": {"type": "app_mention"}, "enterprise": 3}, 400, 400),
    ({"command": 1, "trigger_id": []}, 404, 404),
    ({"type": "block_actions", "actions": [{"action_id": 5}], "user": {"id": 3}}, 404, 200),
    ({"type": "block_actions", "actions": [{"action_id": "acknowledge", "value": []}]}, 200, 200),
    ({"type": "view_submission", "view": {"callback_id": [], "state": "x"}, "user": {}}, 400, 400),
    ({"type": "view_submission", "view": {"callback_id": "quiz_modal", "state": 3}}, 400, 400),
    ({"type": "event_callback", "event": {"type": 7, "user": []}, "event_id": {}}, 404, 404),
    ({"type": "event_callback", "event": {"type": "message", "channel_type": "im"}}, 200, 200),
]


@pytest.mark.parametrize(("payload", "as_form", "as_json"), ODD_SHAPES)
def test_signed_body_of_an_unexpected_shape_is_answered_at_once_and_never_a_5xx(
    app: SlackAppServer, payload: dict[str, object], as_form: int, as_json: int
) -> None:
    form = app.post(urlencode({"payload": json.dumps(payload)}).encode(), FORM, expect=as_form)
    plain = app.post(json.dumps(payload).encode(), JSON, expect=as_json)
    for response in (form, plain):  # expect= also checks the answer came within Slack's 3 s
        assert "Traceback" not in response.body and "reference" not in response.body


def test_a_good_request_still_works_after_bad_ones(app: SlackAppServer) -> None:
    for body, content_type in MALFORMED.values():
        app.post(body, content_type, expect=400)
    challenge = {"type": "url_verification", "challenge": "abc", "token": "x"}
    ok = app.post(json.dumps(challenge).encode(), JSON, timestamp=int(time.time()))
    assert "abc" in ok.body
