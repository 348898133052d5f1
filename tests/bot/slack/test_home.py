"""`mine` and App Home show what a person owes; the team view adds campaigns and overdue evidence."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import update

from core.evidence.register import import_rows, load_register
from core.evidence.service import plan_requests
from core.home import home_for
from core.models import Campaign, CampaignRecipient, EvidenceRequest
from tests.paths import EXAMPLES
from tests.slack_support import answer_marker, calls_besides_the_marker

EXAMPLE = EXAMPLES / "register.csv"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _seed(runtime) -> None:  # type: ignore[no-untyped-def]
    rows = load_register(EXAMPLE, catalogue=runtime.catalogue)
    with runtime.db.session_scope() as session:
        import_rows(
            rows,
            db_session=session,
            actor="t",
            resolve_user=lambda e: "UALICE" if e.startswith("alice") else None,
        )
        plan_requests(NOW, runtime.settings.zone, db_session=session)
        # AC-01 is overdue: its due date was moved into the past.
        session.execute(
            update(EvidenceRequest)
            .where(EvidenceRequest.period == "2026-Q4")
            .values(due_at=NOW - timedelta(days=3))
        )
        campaign = Campaign(
            title="Phishing awareness",
            audience="users:UALICE",
            due_at=NOW + timedelta(days=10),
            created_by="USEC1",
        )
        session.add(campaign)
        session.flush()
        session.add(CampaignRecipient(campaign_id=campaign.id, user_id="UALICE"))


def test_home_model_for_an_owner_and_the_team(slack_runtime) -> None:  # type: ignore[no-untyped-def]
    _seed(slack_runtime)
    with time_machine.travel(NOW, tick=False), slack_runtime.db.session_scope() as session:
        owner = home_for("UALICE", is_security=False, db_session=session)
        team = home_for("USEC1", is_security=True, db_session=session)
    assert {r.control_ref for r in owner.requests} == {"AC-01", "AC-02"}
    assert any(r.overdue for r in owner.requests if r.control_ref == "AC-01")
    assert [a.title for a in owner.acks] == ["Phishing awareness"]
    assert owner.campaigns == [] and team.requests == []
    assert team.campaigns[0].total == 1 and team.overdue_evidence >= 1


def test_mine_in_the_console_and_slack(slack_app, fake_slack, slack_runtime) -> None:  # type: ignore[no-untyped-def]
    _seed(slack_runtime)
    slack_app.command("mine", user="UALICE", response_url=fake_slack.root + "/response/1")
    reply = fake_slack.wait_for("response")[0]
    assert (
        "Evidence for AC-01" in reply.params["text"]
        and "Phishing awareness" in reply.params["text"]
    )
    buttons = json.dumps(reply.params["blocks"])
    assert "submit_evidence" in buttons and "acknowledge" in buttons


def test_app_home_lists_requests_and_acknowledgements(slack_app, fake_slack, slack_runtime) -> None:  # type: ignore[no-untyped-def]
    _seed(slack_runtime)
    slack_app.event(
        {"type": "app_home_opened", "user": "UALICE", "tab": "home", "channel": "D1"},
        event_id="EvH1",
    )
    view = json.dumps(fake_slack.wait_for("views.publish")[0].params["view"])
    assert "AC-01" in view and "Phishing awareness" in view and "Security team overview" not in view


def test_file_shared_event_is_acknowledged_and_ignored(slack_app, fake_slack) -> None:  # type: ignore[no-untyped-def]
    response = slack_app.event(
        {"type": "file_shared", "file_id": "F1", "user_id": "UALICE", "channel_id": "D1"},
        event_id="EvF",
    )
    assert response.status == 200
    answer_marker(slack_app, fake_slack)
    assert calls_besides_the_marker(fake_slack) == []


def test_mine_and_app_home_name_due_days_in_the_organisations_zone(
    slack_settings, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    from bot.runtime import Runtime
    from tests.fakes import FakeEmbedder
    from tests.slack_support import SlackAppServer

    runtime = Runtime(
        slack_settings.model_copy(update={"tz": "America/Los_Angeles"}), embedder=FakeEmbedder()
    )
    with runtime.db.session_scope() as session:
        # Due at the end of 15 December in Los Angeles: 07:59 UTC on the 16th.
        campaign = Campaign(
            title="Phishing awareness",
            audience="users:UALICE",
            due_at=datetime(2026, 12, 16, 7, 59, 59, tzinfo=UTC),
            created_by="USEC1",
        )
        session.add(campaign)
        session.flush()
        session.add(CampaignRecipient(campaign_id=campaign.id, user_id="UALICE"))
    server = SlackAppServer(runtime)
    try:
        with time_machine.travel(NOW, tick=False):
            server.command("mine", user="UALICE", response_url=fake_slack.root + "/response/1")
            reply = fake_slack.wait_for("response")[0].params
            server.event(
                {"type": "app_home_opened", "user": "USEC1", "tab": "home", "channel": "D1"},
                event_id="EvH9",
            )
            view = json.dumps(fake_slack.wait_for("views.publish")[0].params["view"])
    finally:
        server.close()
    assert "“Phishing awareness” by 2026-12-15" in reply["text"]
    assert "*Acknowledge: Phishing awareness* — due 2026-12-15" in json.dumps(
        reply["blocks"], ensure_ascii=False
    )
    assert "0/1 acknowledged, due 2026-12-15" in view and "2026-12-16" not in view
