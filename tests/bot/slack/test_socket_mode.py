"""Socket Mode start-up: the app asks apps.connections.open with the app-level token."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import build_app


def test_socket_mode_opens_a_connection_with_the_app_token(slack_runtime, fake_slack) -> None:
    app = build_app(slack_runtime)
    handler = SocketModeHandler(app, app_token="xapp-1-test", web_client=app.client)
    handler.client.auto_reconnect_enabled = False
    handler.connect()  # the fake hands out a WebSocket URL nobody listens on: bolt logs and carries on
    call = fake_slack.wait_for("apps.connections.open")[0]
    assert call.headers.get("Authorization") == "Bearer xapp-1-test"
    handler.client.close()
