"""Evidence nudges under a moving clock: before, on and after the due date, escalation, snooze."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import time_machine
from sqlalchemy import select

from bot.ids import Action
from core.evidence.register import import_rows, read_rows, validate
from core.models import EvidenceRequest
from core.reminders import service as reminders
from core.requirements import requirement_resolver
from jobs.runner import Jobs
from tests.slack_support import block_action

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
        request = session.scalars(
            select(EvidenceRequest).where(EvidenceRequest.period == "2026-Q4")
        ).one()
        # The reminder state lives on the request's due item of the reminder engine.
        item = reminders.find(db_session=session, domain="evidence_request", ref_id=request.id)
        assert item is not None and item.reminders_sent == 2


def test_an_owner_west_of_utc_is_told_on_their_own_due_day(
    jobs: Jobs, workspace, tmp_path, catalogue
) -> None:
    # Due at the end of 31 December UTC: 15:59 that afternoon in Los Angeles, where Alice works.
    workspace.add_user("UALICE", tz="America/Los_Angeles", email="alice@example.com")
    _register(jobs, tmp_path, catalogue)
    _at(datetime(2026, 12, 20, 12, tzinfo=UTC), jobs)
    _at(datetime(2026, 12, 28, 17, tzinfo=UTC), jobs)  # Monday 09:00 in Los Angeles
    assert len(_nudges(workspace)) == 1 and "is due on 2026-12-31" in _nudges(workspace)[0]
    # 16:30 on the 30th in Los Angeles, already the due day in UTC: not Alice's due day yet.
    _at(datetime(2026, 12, 31, 0, 30, tzinfo=UTC), jobs)
    assert len(_nudges(workspace)) == 1
    _at(datetime(2026, 12, 31, 17, tzinfo=UTC), jobs)  # 09:00 on the 31st in Los Angeles
    assert len(_nudges(workspace)) == 2 and "is due today" in _nudges(workspace)[-1]


def test_a_nudge_names_the_due_day_of_the_owners_zone(
    slack_settings, workspace, tmp_path, catalogue
) -> None:  # type: ignore[no-untyped-def]
    from tests.jobs.support import sending_jobs

    # The organisation is in Los Angeles: Q4 ends at 07:59 UTC on 1 January, 16:59 in Tokyo.
    jobs = sending_jobs(slack_settings.model_copy(update={"tz": "America/Los_Angeles"}))
    workspace.add_user("UALICE", tz="Asia/Tokyo", email="alice@example.com")
    _register(jobs, tmp_path, catalogue)
    _at(datetime(2026, 12, 20, 12, tzinfo=UTC), jobs)
    _at(datetime(2026, 12, 28, 1, tzinfo=UTC), jobs)  # Monday 10:00 in Tokyo
    (nudge,) = _nudges(workspace)
    assert "is due on 2027-01-01" in nudge


def test_snoozing_names_the_day_the_owner_will_be_reminded(
    jobs: Jobs, workspace, tmp_path, catalogue, slack_app
) -> None:
    workspace.add_user("UALICE", tz="Asia/Tokyo", email="alice@example.com")
    _register(jobs, tmp_path, catalogue)
    _at(datetime(2026, 12, 20, 12, tzinfo=UTC), jobs)
    _at(datetime(2026, 12, 28, 1, tzinfo=UTC), jobs)  # Monday 10:00 in Tokyo: the first nudge
    nudge = [c for c in workspace.named("chat.postMessage") if c.params["channel"] == "UALICE"][0]
    one_day = next(
        e["value"]
        for b in nudge.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.SNOOZE and e["value"].endswith(":1")
    )
    # 20:00 UTC is 05:00 the next morning in Tokyo: a day later it is the 30th there.
    with time_machine.travel(datetime(2026, 12, 28, 20, tzinfo=UTC), tick=False):
        response = slack_app.interaction(
            block_action(Action.SNOOZE, one_day, user="UALICE", channel="DALICE")
        )
        update = workspace.wait_for("chat.update")[0]
    assert response.status == 200
    assert update.params["text"] == "Snoozed: I'll remind you again on 2026-12-30."
