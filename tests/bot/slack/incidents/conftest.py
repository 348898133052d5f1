"""Fixtures of the incident Slack tests: the app on the fake Slack with a private SECURITY_CHANNEL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.runtime import Runtime
from tests.bot.slack.incidents.support import private_channel
from tests.fake_slack import FakeSlack
from tests.fakes import FakeEmbedder
from tests.slack_support import SlackAppServer


@pytest.fixture
def runtime(slack_settings) -> Runtime:  # type: ignore[no-untyped-def]
    """A runtime on the fake Slack with the fake embedder (answers by control ID still work)."""
    return Runtime(slack_settings, embedder=FakeEmbedder())


@pytest.fixture
def server(runtime: Runtime, fake_slack: FakeSlack) -> Iterator[SlackAppServer]:
    fake_slack.usergroups["SSECGRP"] = ["USEC2"]
    private_channel(fake_slack)
    app = SlackAppServer(runtime)
    yield app
    app.close()
