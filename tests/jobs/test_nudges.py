"""Evidence nudges under a moving clock: before, on and after the due date, escalation, snooze."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import time_machine
from sqlalchemy import select

from bot.ids import Action
from core.evidence.register import import_rows, read_rows, validate
from core.models import EvidenceRequest
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
        assert (
            session.scalars(select(EvidenceRequest).where(EvidenceRequest.period == "2026-Q4"))
            .one()
            .nudges_sent
            == 2
        )
