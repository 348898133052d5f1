"""Helpers shared by the scheduled-work tests: the clock they start at, a campaign, its invitations."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.blocks.messages import render
from bot.slack_client import make_client
from core.campaigns import service as campaigns
from core.config import Settings
from core.db import Database
from jobs.delivery import Pacer
from jobs.runner import Jobs

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in New York


def sending_jobs(settings: Settings) -> Jobs:
    """Jobs that send to the fake Slack at 200 messages a second, never sleeping between them."""
    return Jobs(
        Database(settings.database_url),
        settings,
        make_client(settings),
        Pacer(200.0, sleep=lambda _s: None),
        render=render,
    )


def invites(fake_slack: Any) -> Counter[str]:
    """Invitations (not reminders) sent, per recipient."""
    return Counter(
        c.params["channel"]
        for c in fake_slack.named("chat.postMessage")
        if "read and acknowledge" in c.params.get("text", "")
        and "Reminder" not in c.params.get("text", "")
    )


def start_campaign(jobs: Jobs, audience: str = "usergroup:SALL", **kwargs: Any) -> int:
    """Start a campaign (due two weeks after T0 unless `due` says otherwise); its ID."""
    kwargs.setdefault("due", T0 + timedelta(days=14))
    with jobs.db.session_scope() as session:
        campaign = campaigns.start(
            jobs.client,
            db_session=session,
            title="Security awareness 2027",
            audience_spec=audience,
            created_by="USEC1",
            reminder_days=3,
            **kwargs,
        )
        return campaign.id
