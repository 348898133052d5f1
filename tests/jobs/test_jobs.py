"""Scheduled work against the fake Slack server under a frozen, moving clock."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select, update

from bot.blocks.messages import render
from bot.ids import Action
from bot.slack_client import make_client
from core import ledger
from core.campaigns import service as campaigns
from core.db import Database
from core.evidence.register import import_rows, read_rows, validate
from core.models import Campaign, CampaignRecipient, EvidenceRequest, Outbox
from core.requirements import requirement_resolver
from jobs.delivery import Pacer, deliver
from jobs.runner import AFTER_SEND, Jobs
from tests.paths import EXAMPLES
from tests.slack_support import block_action

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in New York


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
    return Jobs(
        Database(settings.database_url),
        settings,
        make_client(settings),
        Pacer(200.0, sleep=lambda _s: None),
        render=render,
    )


def _invites(fake_slack) -> Counter[str]:  # type: ignore[no-untyped-def]
    return Counter(
        c.params["channel"]
        for c in fake_slack.named("chat.postMessage")
        if "read and acknowledge" in c.params.get("text", "")
        and "Reminder" not in c.params.get("text", "")
    )


def _start(jobs: Jobs, audience: str = "usergroup:SALL", **kwargs) -> int:  # type: ignore[no-untyped-def]
    with jobs.db.session_scope() as session:
        campaign = campaigns.start(
            jobs.client,
            db_session=session,
            title="Security awareness 2027",
            audience_spec=audience,
            due=T0 + timedelta(days=14),
            created_by="USEC1",
            reminder_days=3,
            **kwargs,
        )
        return campaign.id


def test_campaign_to_a_user_group_is_delivered_once_to_each_member(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        campaign_id = _start(jobs)
        jobs.run_due(T0)
        jobs.run_due(T0)
    assert _invites(workspace) == Counter({"U1": 1, "U2": 1, "U3": 1})
    with jobs.db.session_scope() as session:
        st = campaigns.status(campaign_id, db_session=session, now=T0)
    assert (st.recipients, st.delivered, st.acknowledged, st.overdue) == (3, 3, 0, 0)


def test_audience_specs_and_their_errors(jobs: Jobs, workspace) -> None:
    from core.campaigns.audience import AudienceError, parse, resolve

    workspace.page_size = 2  # force pagination of users.list and conversations.members
    assert resolve(jobs.client, parse("channel:CENG")) == ["U1", "U2", "U3", "U4", "U5"]
    assert set(resolve(jobs.client, parse("all"))) == {
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "UALICE",
        "UMGR",
    }
    assert "UGUEST" in resolve(jobs.client, parse("usergroup:SALL"), include_guests=True)
    assert resolve(jobs.client, parse("users:U1,UDEL,U2")) == ["U1", "U2"]
    for bad in ("everyone", "usergroup:", "channel:#eng", "users:alice"):
        with pytest.raises(AudienceError, match="use all, usergroup:S…, channel:C… or users:U1,U2"):
            parse(bad)
    with pytest.raises(AudienceError, match="no_such_subteam"):
        resolve(jobs.client, parse("usergroup:SNOPE"))


def test_acknowledging_twice_records_once_and_reminders_skip_acknowledged(
    jobs: Jobs, workspace, slack_app
) -> None:
    with time_machine.travel(T0, tick=False):
        campaign_id = _start(jobs)
        jobs.run_due(T0)
    with jobs.db.session_scope() as session:
        u1 = session.scalars(
            select(CampaignRecipient).where(CampaignRecipient.user_id == "U1")
        ).one()
        where = {"container": {"type": "message", "channel_id": u1.channel, "message_ts": u1.ts}}
    for _ in range(2):
        payload = block_action(Action.ACKNOWLEDGE, str(campaign_id), user="U1", channel=u1.channel)
        payload.update(where)
        slack_app.interaction(payload)
    workspace.wait_for("chat.update")
    with jobs.db.session_scope() as session:
        acks = [
            r for r in session.scalars(select(ledger.LedgerRecord)) if r.kind == "acknowledgement"
        ]
        assert len(acks) == 1 and '"user":"U1"' in acks[0].payload and u1.ts in acks[0].payload
    later = T0 + timedelta(days=3, hours=1)
    with time_machine.travel(later, tick=False):
        jobs.run_due(later)
        jobs.run_due(later)
    reminders = Counter(
        c.params["channel"]
        for c in workspace.named("chat.postMessage")
        if "Reminder" in c.params.get("text", "")
    )
    assert reminders == Counter({"U2": 1, "U3": 1})
    assert len(workspace.named("chat.update")) == 1


def test_quiz_pass_and_fail(jobs: Jobs, workspace, slack_app, tmp_path: Path) -> None:
    from bot.ids import Block, Field, View
    from core.campaigns.quiz import as_dict, load

    quiz = as_dict(load(EXAMPLES / "quiz.yaml"))
    with time_machine.travel(T0, tick=False):
        campaign_id = _start(jobs, quiz=quiz)
        jobs.run_due(T0)

    def submit(user: str, answers: list[int]) -> str:
        values = {
            f"{Block.QUIZ_QUESTION}{i}": {
                Field.VALUE: {"type": "radio_buttons", "selected_option": {"value": str(a)}}
            }
            for i, a in enumerate(answers)
        }
        view = {
            "id": "VQ",
            "type": "modal",
            "hash": user,
            "callback_id": View.QUIZ,
            "private_metadata": f"{campaign_id}||",
            "state": {"values": values},
        }
        return slack_app.interaction(
            {
                "type": "view_submission",
                "team": {"id": "T1"},
                "user": {"id": user},
                "api_app_id": "A1",
                "view": view,
            }
        ).body

    failed = submit("U2", [0, 1, 0])
    assert "You scored 0%" in failed and "67% is needed" in failed
    assert submit("U1", [1, 0, 1]) == ""
    with jobs.db.session_scope() as session:
        rows = {r.user_id: r for r in session.scalars(select(CampaignRecipient))}
        assert rows["U1"].acknowledged_at is not None and rows["U1"].quiz_score == 1.0
        assert rows["U2"].acknowledged_at is None
        kinds = [(r.kind, r.payload) for r in session.scalars(select(ledger.LedgerRecord))]
    failed_attempts = [p for k, p in kinds if k == "quiz_failed"]
    assert len(failed_attempts) == 1 and '"user":"U2"' in failed_attempts[0]
    # U2 corrects the answers in the same modal and sends it again: now it passes.
    assert submit("U2", [1, 0, 1]) == ""
    with jobs.db.session_scope() as session:
        again = session.scalars(
            select(CampaignRecipient).where(CampaignRecipient.user_id == "U2")
        ).one()
        assert again.acknowledged_at is not None


def test_plain_acknowledge_is_refused_when_a_quiz_is_required(
    jobs: Jobs, workspace, slack_app
) -> None:
    from core.campaigns.quiz import as_dict, load

    quiz = as_dict(load(EXAMPLES / "quiz.yaml"))
    with time_machine.travel(T0, tick=False):
        campaign_id = _start(jobs, quiz=quiz)
    slack_app.interaction(
        block_action(
            Action.ACKNOWLEDGE,
            str(campaign_id),
            user="U1",
            response_url=workspace.root + "/response/q",
        )
    )
    assert "needs the quiz passed first" in workspace.wait_for("response")[0].params["text"]


def test_rolling_audience_adds_new_members(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        campaign_id = _start(jobs, rolling=True)
        jobs.run_due(T0)
    workspace.usergroups["SALL"].append("U4")
    later = T0 + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        jobs.run_due(later)
    assert _invites(workspace) == Counter({"U1": 1, "U2": 1, "U3": 1, "U4": 1})
    with jobs.db.session_scope() as session:
        assert campaigns.status(campaign_id, db_session=session, now=later).recipients == 4


def test_overdue_list_goes_to_the_security_channel_once(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        campaign_id = _start(jobs)
        jobs.run_due(T0)
    after = T0 + timedelta(days=15)
    with time_machine.travel(after, tick=False):
        jobs.run_due(after)
        jobs.run_due(after)
        with jobs.db.session_scope() as session:
            assert campaigns.status(campaign_id, db_session=session).overdue == 3
    reports = [
        c
        for c in workspace.named("chat.postMessage")
        if c.params["channel"] == "CSEC" and "Due date passed" in c.params["text"]
    ]
    assert len(reports) == 1 and "<@U2>" in reports[0].params["text"]


def test_unreachable_recipient_is_marked_not_retried(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        with jobs.db.session_scope() as session:
            campaign = session.get(Campaign, _start(jobs, audience="users:U1,U2"))
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
        _start(jobs)
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
    assert _invites(workspace) == Counter({"U1": 1, "U2": 1, "U3": 1})


def test_claim_left_before_sending_is_released_and_sent(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        _start(jobs)
        with jobs.db.session_scope() as session:
            session.execute(
                update(Outbox).values(status="claimed", claimed_by="dead:1", claimed_at=T0)
            )
    restart = T0 + timedelta(minutes=10)
    with time_machine.travel(restart, tick=False):
        jobs.run_due(restart)
    assert _invites(workspace) == Counter({"U1": 1, "U2": 1, "U3": 1})


def test_two_workers_at_once_send_nothing_twice(jobs: Jobs, workspace) -> None:
    for i in range(30):
        workspace.add_user(f"UX{i:03d}")
    workspace.usergroups["SBIG"] = [f"UX{i:03d}" for i in range(30)]
    with time_machine.travel(T0, tick=False):
        _start(jobs, audience="usergroup:SBIG")

    def work(name: str) -> None:
        deliver(
            jobs.db,
            jobs.client,
            worker=name,
            pacer=Pacer(500.0),
            render=render,
            after_send=AFTER_SEND,
        )

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    with time_machine.travel(T0 + timedelta(minutes=1)):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    counts = _invites(workspace)
    assert len(counts) == 30 and set(counts.values()) == {1}
    with jobs.db.session_scope() as session:
        assert {w for w in session.scalars(select(Outbox.claimed_by))} <= {"w0", "w1"}


def test_rate_limited_send_is_retried_after_retry_after(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        _start(jobs, audience="users:U1")
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


# -- evidence nudges -------------------------------------------------------------------------

REGISTER = (
    "id,title,requirements,owner,cadence,expected_evidence,manager\n"
    "AC-01,Access review,A.5.18,alice@example.com,quarterly,Signed export,{manager}\n"
)


def _register(jobs: Jobs, tmp_path: Path, catalogue, manager: str = "") -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_text(REGISTER.format(manager=manager))
    rows = validate(
        read_rows(path),
        resolve_requirement=requirement_resolver(catalogue),
        known_ids=list(catalogue.entries),
    )
    with jobs.db.session_scope() as session:
        import_rows(
            rows,
            db_session=session,
            actor="t",
            resolve_user=lambda e: {"alice@example.com": "UALICE", "mgr@example.com": "UMGR"}.get(
                e
            ),
        )


def _nudges(fake_slack) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        c.params["text"]
        for c in fake_slack.named("chat.postMessage")
        if c.params["channel"] == "UALICE"
    ]


def _at(when: datetime, jobs: Jobs) -> None:
    with time_machine.travel(when, tick=False):
        jobs.run_due(when)


def test_nudges_before_on_and_after_the_due_date_in_working_hours(
    jobs: Jobs, workspace, tmp_path, catalogue
) -> None:
    _register(jobs, tmp_path, catalogue, manager="mgr@example.com")
    _at(
        datetime(2026, 12, 20, 12, tzinfo=UTC), jobs
    )  # request planned; first nudge 7 days before due
    assert _nudges(workspace) == []
    _at(datetime(2026, 12, 25, 3, tzinfo=UTC), jobs)  # due for a nudge, but 22:00 in New York
    assert _nudges(workspace) == []
    _at(datetime(2026, 12, 25, 14, 30, tzinfo=UTC), jobs)  # 09:30 New York, a Friday
    assert len(_nudges(workspace)) == 1 and "is due on 2026-12-31" in _nudges(workspace)[0]
    _at(datetime(2026, 12, 25, 16, tzinfo=UTC), jobs)  # nothing new the same day
    assert len(_nudges(workspace)) == 1
    _at(datetime(2026, 12, 31, 15, tzinfo=UTC), jobs)
    assert "is due today" in _nudges(workspace)[-1]
    _at(datetime(2027, 1, 4, 15, tzinfo=UTC), jobs)  # Monday after
    assert "overdue" in _nudges(workspace)[-1]
    sent = len(_nudges(workspace))
    _at(datetime(2027, 1, 4, 16, tzinfo=UTC), jobs)
    assert len(_nudges(workspace)) == sent
    _at(datetime(2027, 1, 8, 15, tzinfo=UTC), jobs)  # 7+ days overdue: escalate to the manager
    escalations = [c for c in workspace.named("chat.postMessage") if c.params["channel"] == "UMGR"]
    assert len(escalations) == 1 and "overdue" in escalations[0].params["text"]
    _at(datetime(2027, 1, 9, 15, tzinfo=UTC), jobs)
    assert (
        len([c for c in workspace.named("chat.postMessage") if c.params["channel"] == "UMGR"]) == 1
    )


def test_escalation_without_manager_goes_to_security_channel(
    jobs: Jobs, workspace, tmp_path, catalogue
) -> None:
    _register(jobs, tmp_path, catalogue)
    _at(datetime(2026, 12, 20, 15, tzinfo=UTC), jobs)
    _at(datetime(2027, 1, 8, 15, tzinfo=UTC), jobs)
    assert any(
        c.params["channel"] == "CSEC" and "overdue" in c.params["text"]
        for c in workspace.named("chat.postMessage")
    )


def test_snooze_pushes_the_next_nudge(
    jobs: Jobs, workspace, tmp_path, catalogue, slack_app
) -> None:
    _register(jobs, tmp_path, catalogue)
    _at(datetime(2026, 12, 28, 15, tzinfo=UTC), jobs)  # Monday, in working hours, first nudge
    nudge = [c for c in workspace.named("chat.postMessage") if c.params["channel"] == "UALICE"][0]
    snooze = [
        e
        for b in nudge.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.SNOOZE
    ]
    assert [b["value"].split(":")[1] for b in snooze] == ["1", "3", "7"]
    week = snooze[2]["value"]
    with time_machine.travel(datetime(2026, 12, 28, 15, 5, tzinfo=UTC), tick=False):
        slack_app.interaction(block_action(Action.SNOOZE, week, user="UALICE", channel="DALICE"))
        workspace.wait_for("chat.update")
    _at(datetime(2026, 12, 31, 15, tzinfo=UTC), jobs)  # due day, but snoozed until 4 January 15:05
    assert len(_nudges(workspace)) == 1
    _at(datetime(2027, 1, 4, 15, 10, tzinfo=UTC), jobs)
    assert len(_nudges(workspace)) == 2
    with jobs.db.session_scope() as session:
        assert (
            session.scalars(select(EvidenceRequest).where(EvidenceRequest.period == "2026-Q4"))
            .one()
            .nudges_sent
            == 2
        )


def test_non_security_user_cannot_start_a_campaign(slack_app, fake_slack) -> None:
    slack_app.command("campaign start", user="UALICE", response_url=fake_slack.root + "/response/1")
    assert "Only the security team" in fake_slack.wait_for("response")[0].params["text"]
    assert fake_slack.named("views.open") == []
    slack_app.command("campaign start", user="USEC1", response_url=fake_slack.root + "/response/2")
    assert fake_slack.wait_for("views.open")[0].params["view"]["callback_id"] == "campaign_modal"
