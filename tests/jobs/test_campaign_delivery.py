"""Campaigns end to end under a frozen clock: delivery, audiences, acknowledgements, quizzes, reports."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from bot.ids import Action
from core import ledger
from core.campaigns import service as campaigns
from core.models import CampaignRecipient
from jobs.runner import Jobs
from tests.jobs.support import T0, invites, sending_jobs, start_campaign
from tests.paths import EXAMPLES
from tests.slack_support import block_action, view_submission


def test_campaign_to_a_user_group_is_delivered_once_to_each_member(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        campaign_id = start_campaign(jobs)
        jobs.run_due(T0)
        jobs.run_due(T0)
    assert invites(workspace) == Counter({"U1": 1, "U2": 1, "U3": 1})
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
        campaign_id = start_campaign(jobs)
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
        campaign_id = start_campaign(jobs, quiz=quiz)
        jobs.run_due(T0)

    def submit(user: str, answers: list[int]) -> str:
        values = {
            f"{Block.QUIZ_QUESTION}{i}": {
                Field.VALUE: {"type": "radio_buttons", "selected_option": {"value": str(a)}}
            }
            for i, a in enumerate(answers)
        }
        submission = view_submission(
            View.QUIZ, values, user=user, view_id="VQ", view_hash=user, metadata=f"{campaign_id}||"
        )
        return slack_app.interaction(submission).body

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
        campaign_id = start_campaign(jobs, quiz=quiz)
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
        campaign_id = start_campaign(jobs, rolling=True)
        jobs.run_due(T0)
    workspace.usergroups["SALL"].append("U4")
    later = T0 + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        jobs.run_due(later)
    assert invites(workspace) == Counter({"U1": 1, "U2": 1, "U3": 1, "U4": 1})
    with jobs.db.session_scope() as session:
        assert campaigns.status(campaign_id, db_session=session, now=later).recipients == 4


def test_overdue_list_goes_to_the_security_channel_once(jobs: Jobs, workspace) -> None:
    with time_machine.travel(T0, tick=False):
        campaign_id = start_campaign(jobs)
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


def test_non_security_user_cannot_start_a_campaign(slack_app, fake_slack) -> None:
    slack_app.command("campaign start", user="UALICE", response_url=fake_slack.root + "/response/1")
    assert "Only the security team" in fake_slack.wait_for("response")[0].params["text"]
    assert fake_slack.named("views.open") == []
    slack_app.command("campaign start", user="USEC1", response_url=fake_slack.root + "/response/2")
    assert fake_slack.wait_for("views.open")[0].params["view"]["callback_id"] == "campaign_modal"


def test_invitations_name_the_due_day_of_the_organisations_zone(slack_settings, workspace) -> None:  # type: ignore[no-untyped-def]
    settings = slack_settings.model_copy(
        update={"delivery_rate": 200.0, "tz": "America/Los_Angeles"}
    )
    jobs = sending_jobs(settings)
    due = campaigns.due_on(date(2026, 12, 15), settings.zone, T0)
    assert due.date() == date(2026, 12, 16)  # stored in UTC, the day after
    with time_machine.travel(T0, tick=False):
        start_campaign(jobs, audience="users:U1", due=due)
        jobs.run_due(T0)
    (sent,) = [
        c.params["text"] for c in workspace.named("chat.postMessage") if c.params["channel"] == "U1"
    ]
    assert sent == ":memo: Please read and acknowledge Security awareness 2027 by 2026-12-15."


def test_taking_the_quiz_again_names_the_acknowledgement_day_in_the_zone(
    jobs: Jobs, workspace
) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from sqlalchemy import update

    from core.campaigns import attempts
    from core.campaigns.quiz import as_dict, load

    with time_machine.travel(T0, tick=False):
        campaign_id = start_campaign(jobs, quiz=as_dict(load(EXAMPLES / "quiz.yaml")))
        jobs.run_due(T0)
    with jobs.db.session_scope() as session:
        session.execute(
            update(CampaignRecipient)
            .where(CampaignRecipient.user_id == "U1")
            .values(acknowledged_at=datetime(2026, 12, 2, 2, 0, tzinfo=UTC))  # 1 Dec, 18:00 PST
        )
    with jobs.db.session_scope() as session, pytest.raises(campaigns.CampaignError) as refused:
        attempts.quiz_for(
            campaign_id, "U1", db_session=session, zone=ZoneInfo("America/Los_Angeles")
        )
    assert "You already acknowledged “Security awareness 2027” on 2026-12-01" in str(refused.value)
