"""The paced sender under a Slack outage: 5xx backs off per row and across the workspace."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from core.campaigns.delivery import INVITE
from core.models import CampaignRecipient, Outbox
from jobs.delivery import MAX_ATTEMPTS
from jobs.runner import Jobs
from tests.jobs.support import T0, start_campaign


def test_a_5xx_puts_the_row_off_and_pauses_the_pass(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        start_campaign(jobs)  # three invitations: U1, U2, U3
        workspace.outage("chat.postMessage", 3600, status=500)
        stats = jobs.run_due(T0)
        # The first 500 ends the pass: the other rows keep all their attempts.
        assert stats.outage and stats.sent == 0
        assert len(workspace.named("chat.postMessage")) == 1
        again = jobs.run_due(T0)  # same minute: the failed row waits its backoff
    assert len(workspace.named("chat.postMessage")) == 2 and again.outage
    with jobs.db.session_scope() as session:
        rows = session.scalars(select(Outbox).order_by(Outbox.id)).all()
        failed_once = [r for r in rows if r.attempts == 1]
        assert len(failed_once) == 2 and all(r.status == "pending" for r in rows)
        assert all(r.not_before >= T0 + timedelta(seconds=24) for r in failed_once)
    workspace.end_outage("chat.postMessage")
    later = T0 + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        jobs.run_due(later)
    # Every invitation went out once Slack was back, none twice (history holds accepted messages).
    dms = {ch: len(msgs) for ch, msgs in workspace.history.items() if ch.startswith("D")}
    assert dms == {"D1": 1, "D2": 1, "D3": 1}


def test_a_long_outage_fails_the_row_and_tells_the_security_channel(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        start_campaign(jobs, audience="users:U1")
    workspace.outage("chat.postMessage", 3600, status=503)
    moment = T0
    # Each run comes after the rows' backoff (at most 4 minutes and a fifth); every run ends at its
    # first 5xx, so the witness's own message takes some of the runs.
    for _ in range(3 * MAX_ATTEMPTS):
        with time_machine.travel(moment, tick=False):
            jobs.run_due(moment)
        moment += timedelta(minutes=10)
    with jobs.db.session_scope() as session:
        invite = session.scalars(select(Outbox).where(Outbox.kind == INVITE)).one()
        assert invite.status == "failed" and invite.attempts == MAX_ATTEMPTS
        assert invite.error == "HTTP 503 from Slack"
        u1 = session.scalars(select(CampaignRecipient)).one()
        assert u1.failed_reason == "HTTP 503 from Slack"
    # Attempts were spread over minutes, not spent in seconds.
    attempts = len([c for c in workspace.named("chat.postMessage") if c.params["channel"] == "U1"])
    assert attempts == MAX_ATTEMPTS
    workspace.end_outage("chat.postMessage")
    with time_machine.travel(moment, tick=False):
        jobs.run_due(moment)
    report = workspace.wait_for_match(
        "chat.postMessage", lambda c: "could not be delivered" in c.params.get("text", "")
    )
    assert report.params["channel"] == "CSEC"
    assert "<@U1>" in report.params["text"] and "could not be delivered" in report.params["text"]
    assert "HTTP 503" in report.params["text"]
