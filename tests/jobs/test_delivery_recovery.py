"""The paced sender's bookkeeping: unreachable people, crashes, stale claims, two workers, 429s."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, timedelta

import time_machine
from sqlalchemy import select, update

from bot.blocks.messages import render
from core.models import Campaign, CampaignRecipient, Outbox
from jobs.delivery import Pacer, deliver
from jobs.runner import AFTER_SEND, Jobs
from tests.jobs.support import T0, invites, start_campaign


def test_unreachable_recipient_is_marked_not_retried(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        with jobs.db.session_scope() as session:
            campaign = session.get(Campaign, start_campaign(jobs, audience="users:U1,U2"))
            assert campaign is not None
        workspace.users["U2"]["deleted"] = True  # left after the audience was resolved
        stats = jobs.run_due(T0)
        jobs.run_due(T0)
    assert stats.refused == [("U2", "account_inactive")]
    with jobs.db.session_scope() as session:
        u2 = session.scalars(
            select(CampaignRecipient).where(CampaignRecipient.user_id == "U2")
        ).one()
        assert u2.failed_reason == "account_inactive"
    assert len([c for c in workspace.named("chat.postMessage") if c.params["channel"] == "U2"]) == 1


def test_crash_after_send_is_reconciled_without_resending(
    jobs: Jobs, workspace, monkeypatch
) -> None:
    import jobs.delivery as delivery

    real_send = delivery._send
    calls = {"n": 0}

    def crashing_send(client, row):  # type: ignore[no-untyped-def]
        result = real_send(client, row)
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionResetError("worker died right after Slack accepted the message")
        return result

    with time_machine.travel(T0, tick=False):
        start_campaign(jobs)
        monkeypatch.setattr(delivery, "_send", crashing_send)
        jobs.run_due(T0)
        monkeypatch.setattr(delivery, "_send", real_send)
        with jobs.db.session_scope() as session:
            assert (
                session.scalar(select(Outbox.status).where(Outbox.key.like("%U2:invite")))
                == "claimed"
            )
        jobs.run_due(T0)  # claim is fresh: left alone
    restart = T0 + timedelta(minutes=10)
    with time_machine.travel(restart, tick=False):
        stats = jobs.run_due(restart)
    assert stats.reconciled == 1
    assert invites(workspace) == Counter({"U1": 1, "U2": 1, "U3": 1})
    # Reconciling ran the same after-send step as a send: where the invitation landed is known.
    posted = [c for c in workspace.named("chat.postMessage") if c.params["channel"] == "U2"][0]
    with jobs.db.session_scope() as session:
        u2 = session.scalars(
            select(CampaignRecipient).where(CampaignRecipient.user_id == "U2")
        ).one()
        assert u2.channel == "D2" and u2.ts is not None
        assert u2.ts == session.scalar(select(Outbox.ts).where(Outbox.key.like("%U2:invite")))
    assert posted.params["metadata"]["event_payload"]["key"].endswith("U2:invite")


def test_claim_left_before_sending_is_released_and_sent(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        start_campaign(jobs)
        with jobs.db.session_scope() as session:
            session.execute(
                update(Outbox).values(status="claimed", claimed_by="dead:1", claimed_at=T0)
            )
    restart = T0 + timedelta(minutes=10)
    with time_machine.travel(restart, tick=False):
        jobs.run_due(restart)
    assert invites(workspace) == Counter({"U1": 1, "U2": 1, "U3": 1})


def test_two_workers_at_once_send_nothing_twice(jobs: Jobs, workspace) -> None:
    for i in range(30):
        workspace.add_user(f"UX{i:03d}")
    workspace.usergroups["SBIG"] = [f"UX{i:03d}" for i in range(30)]
    with time_machine.travel(T0, tick=False):
        start_campaign(jobs, audience="usergroup:SBIG")

    def work(name: str) -> None:
        deliver(
            jobs.db,
            jobs.client,
            worker=name,
            pacer=Pacer(500.0),
            render=lambda kind, content: render(kind, content, zone=UTC),
            after_send=AFTER_SEND,
        )

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    with time_machine.travel(T0 + timedelta(minutes=1)):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    counts = invites(workspace)
    assert len(counts) == 30 and set(counts.values()) == {1}
    with jobs.db.session_scope() as session:
        assert {w for w in session.scalars(select(Outbox.claimed_by))} <= {"w0", "w1"}


def test_rate_limited_send_is_retried_after_retry_after(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        start_campaign(jobs, audience="users:U1")
    workspace.fail_next("chat.postMessage", 429, retry_after=2)
    slept: list[float] = []
    jobs.pacer = Pacer(200.0, sleep=slept.append)
    stats = jobs.run_due(T0)
    calls = workspace.named("chat.postMessage")
    assert len(calls) == stats.sent + 1 and stats.rate_limited == 1  # one 429, then retried
    assert max(slept) >= 1.9  # the pacer held the retry for Retry-After
    with jobs.db.session_scope() as session:
        row = session.scalars(select(Outbox).where(Outbox.key.like("%U1:invite"))).one()
        # Being told to wait is not a failed attempt.
        assert (row.status, row.attempts) == ("sent", 1)
