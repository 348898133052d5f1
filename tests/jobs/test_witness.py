"""The ledger head is posted to the security channel and remembered, so `verify` can check it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select, text

from bot.blocks.messages import render
from bot.slack_client import make_client
from core import ledger
from core.db import Database
from core.models import LedgerWitness
from jobs.delivery import Pacer
from jobs.runner import Jobs

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_head_is_witnessed_once_per_interval_and_checked(slack_settings, fake_slack) -> None:  # type: ignore[no-untyped-def]
    db = Database(slack_settings.database_url)
    jobs = Jobs(db, slack_settings, make_client(slack_settings), Pacer(100.0), render=render)
    with time_machine.travel(T0, tick=False):
        with db.session_scope() as session:
            ledger.append("register_change", {"control": "AC-01"}, db_session=session)
        jobs.run_due(T0)
        jobs.run_due(T0 + timedelta(hours=1))
    posts = [c for c in fake_slack.named("chat.postMessage") if c.params["channel"] == "CSEC"]
    assert len(posts) == 1
    with db.session_scope() as session:
        seq, head = ledger.head(db_session=session)
        witness = session.scalars(select(LedgerWitness)).one()
        assert (witness.seq, witness.hash) == (seq, head) and head in posts[0].params["text"]
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger"))
    with db.session_scope() as session:
        result = ledger.verify(db_session=session)
    assert not result.ok and "witnessed" in (result.problem or "")
