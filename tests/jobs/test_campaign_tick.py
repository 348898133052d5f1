"""The campaigns tick asks Slack for rolling audiences while no write transaction is open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from slack_sdk import WebClient
from sqlalchemy import create_engine, select

from bot.blocks.messages import render
from bot.slack_client import make_client
from core.campaigns import service as campaigns
from core.db import Database
from core.models import CampaignRecipient
from jobs.delivery import Pacer
from jobs.runner import Jobs

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


class WriteProbingClient(WebClient):
    """A client that, on every users.list, checks that another connection can write at once."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.writable: list[bool] = []

    def users_list(self, **kwargs: Any) -> Any:  # type: ignore[override]
        """Try an immediate write lock from a second connection (SQLite fails fast if one is held)."""
        engine = create_engine(self.url, connect_args={"timeout": 0})
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                conn.exec_driver_sql("ROLLBACK")
            self.writable.append(True)
        except Exception:  # noqa: BLE001 - "database is locked" is the failure this test looks for
            self.writable.append(False)
        finally:
            engine.dispose()
        return super().users_list(**kwargs)


def test_rolling_audience_is_listed_outside_the_write(slack_settings, fake_slack, backend) -> None:  # type: ignore[no-untyped-def]
    if backend != "sqlite":
        pytest.skip("the probe takes SQLite's database-wide write lock")
    for uid in ("U1", "U2"):
        fake_slack.add_user(uid)
    fake_slack.usergroups["SALL"] = ["U1"]
    db = Database(slack_settings.database_url)
    base = make_client(slack_settings)
    client = WriteProbingClient(
        slack_settings.database_url, token=base.token, base_url=base.base_url
    )
    jobs = Jobs(db, slack_settings, client, Pacer(200.0, sleep=lambda _s: None), render=render)
    with time_machine.travel(T0, tick=False), db.session_scope() as session:
        campaign = campaigns.start(
            client,
            db_session=session,
            title="Rolling",
            audience_spec="usergroup:SALL",
            due=T0 + timedelta(days=14),
            created_by="USEC1",
            reminder_days=3,
            rolling=True,
        )
        campaign_id = campaign.id
    fake_slack.usergroups["SALL"] = ["U1", "U2"]
    later = T0 + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        jobs.plan(later)
    with db.session_scope() as session:
        people = set(
            session.scalars(
                select(CampaignRecipient.user_id).where(
                    CampaignRecipient.campaign_id == campaign_id
                )
            )
        )
    assert people == {"U1", "U2"}  # the tick did list the audience again
    assert client.writable == [True, True]  # at start and in the tick, nobody held the write lock
