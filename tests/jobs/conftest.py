"""Fixtures of the scheduled-work tests: a workspace in the fake Slack, and jobs that send to it."""

from __future__ import annotations

import pytest

from jobs.runner import Jobs
from tests.jobs.support import sending_jobs


@pytest.fixture
def workspace(fake_slack):  # type: ignore[no-untyped-def]
    """Five people, a bot, a deleted account and a guest; a user group and a channel."""
    for uid in ("U1", "U2", "U3", "U4", "U5"):
        fake_slack.add_user(uid, tz="America/New_York")
    fake_slack.add_user("UALICE", tz="America/New_York", email="alice@example.com")
    fake_slack.add_user("UMGR", tz="Europe/Berlin")
    fake_slack.add_user("UBOTX", is_bot=True)
    fake_slack.add_user("UDEL", deleted=True)
    fake_slack.add_user("UGUEST", is_restricted=True)
    fake_slack.usergroups["SALL"] = ["U1", "U2", "U3", "UBOTX", "UDEL", "UGUEST"]
    fake_slack.channel_members["CENG"] = ["U1", "U2", "U3", "U4", "U5", "UBOTX"]
    return fake_slack


@pytest.fixture
def jobs(slack_settings, workspace) -> Jobs:  # type: ignore[no-untyped-def]
    settings = slack_settings.model_copy(update={"delivery_rate": 200.0})
    return sending_jobs(settings)
