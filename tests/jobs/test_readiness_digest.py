"""The weekly digest: scheduled in a row, sent once to SECURITY_CHANNEL under a frozen clock."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from bot.commands.readiness import measure
from bot.runtime import Runtime
from core.models import ReadinessDigest
from core.readiness.digest import next_slot
from jobs.runner import Jobs
from tests.fakes import FakeEmbedder
from tests.jobs.support import sending_jobs
from tests.readiness_support import decide, hand_in, import_register

T0 = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)  # a Wednesday
SLOT = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
POLICY = 'PO-01,Security policy set,"A.5.1, A.5.2",alice@example.com,annual,Approved policy,yes,,\n'
ROWS = (
    POLICY
    # Weekly, due each Friday 09:00: the request planned on Wednesday is overdue by Monday.
    + "OV-01,Weekly vulnerability triage,A.8.8,bob@example.com,0 9 * * 5,Triage notes,yes,,\n"
    # Weekly periods from Saturday: evidence accepted on Wednesday is stale by Monday.
    + "LG-01,Log review,A.8.15,alice@example.com,0 0 * * 6,Review notes,yes,,\n"
)


@pytest.fixture
def jobs(slack_settings, fake_slack) -> Jobs:  # type: ignore[no-untyped-def]
    fake_slack.add_user("UALICE", tz="Europe/Berlin")
    fake_slack.add_user("UBOB", tz="Europe/Berlin")
    settings = slack_settings.model_copy(update={"tz": "Europe/Berlin", "delivery_rate": 200.0})
    return sending_jobs(settings)


def digests(fake_slack) -> list:  # type: ignore[no-untyped-def, type-arg]
    return [
        c
        for c in fake_slack.named("chat.postMessage")
        if c.params.get("text", "").startswith("Weekly readiness digest")
    ]


def section_text(call, title: str) -> str:  # type: ignore[no-untyped-def]
    return next(
        b["text"]["text"]
        for b in call.params["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith(f"*{title}")
    )


def test_next_slot_is_the_configured_day_and_hour_in_tz() -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    assert next_slot(T0, berlin, 0, 9) == SLOT
    assert next_slot(SLOT, berlin, 0, 9) == SLOT + timedelta(days=7)
    assert next_slot(SLOT - timedelta(seconds=1), berlin, 0, 9) == SLOT
    summer = next_slot(datetime(2026, 7, 1, tzinfo=UTC), berlin, 0, 9)
    assert summer == datetime(2026, 7, 6, 7, 0, tzinfo=UTC)  # 09:00 CEST


def test_the_digest_is_sent_once_with_what_changed(jobs: Jobs, fake_slack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    catalogue = Runtime(jobs.settings, embedder=FakeEmbedder()).catalogue
    zone = jobs.settings.zone
    with time_machine.travel(T0, tick=False) as clock:
        import_register(jobs.db, catalogue, tmp_path, ROWS)
        decide(jobs.db, hand_in(jobs.db, "LG-01", zone, now=T0, text="logs reviewed"), accept=True)
        jobs.run_due(T0)  # plans requests; schedules the first digest with today's baseline
        with jobs.db.session_scope() as session:
            row = session.scalars(select(ReadinessDigest)).one()
            assert (row.status, row.scheduled_for) == ("scheduled", SLOT)
            assert row.baseline["A.8.15"] == "current" and row.baseline["A.5.1"] == "no_evidence"

        import_register(jobs.db, catalogue, tmp_path, ROWS.replace('"A.5.1, A.5.2"', "A.5.2"))

        clock.move_to(SLOT - timedelta(minutes=1))
        jobs.run_due(SLOT - timedelta(minutes=1))
        assert digests(fake_slack) == []

        clock.move_to(SLOT)
        jobs.run_due(SLOT)
        jobs.run_due(SLOT)  # a second tick at the same moment (or a second worker) sends nothing
        report = measure(Runtime(jobs.settings, embedder=FakeEmbedder()))
        clock.move_to(SLOT + timedelta(minutes=5))
        jobs.run_due(SLOT + timedelta(minutes=5))

    sent = digests(fake_slack)
    assert len(sent) == 1 and sent[0].params["channel"] == "CSEC"
    digest = sent[0]
    overdue = section_text(digest, "Became overdue")
    assert overdue.startswith("*Became overdue (1)*") and "A.8.8 " in overdue
    assert "<@UBOB>" in overdue
    stale = section_text(digest, "Stale")
    assert "A.8.15 Logging" in stale and "<@UALICE>" in stale
    gaps = section_text(digest, "New gaps")
    assert gaps.startswith("*New gaps (1)*") and "A.5.1 " in gaps and "A.5.2" not in gaps
    owners = section_text(digest, "Owners with the most overdue items")
    assert "<@UBOB>: 1 overdue" in owners
    # The digest's numbers are readiness's numbers at the same moment.
    shown = re.findall(r"(\d+)% ready \((\d+) of (\d+)", json.dumps(digest.params["blocks"]))
    assert shown == [
        (str(round((f.ready or 0) * 100)), str(f.tally.counts["current"]), str(f.tally.applicable))
        for f in report.frameworks
    ]
    with jobs.db.session_scope() as session:
        rows = list(session.scalars(select(ReadinessDigest).order_by(ReadinessDigest.id)))
    assert [r.status for r in rows] == ["sent", "scheduled"]
    assert rows[0].ts and rows[0].channel == "CSEC" and rows[0].claimed_by
    assert rows[1].scheduled_for == SLOT + timedelta(days=7)
    assert rows[1].baseline["A.8.8"] == "overdue"


def test_the_next_week_reports_only_new_changes(jobs: Jobs, fake_slack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    catalogue = Runtime(jobs.settings, embedder=FakeEmbedder()).catalogue
    with time_machine.travel(T0, tick=False) as clock:
        import_register(jobs.db, catalogue, tmp_path, POLICY)
        jobs.run_due(T0)
        clock.move_to(SLOT)
        jobs.run_due(SLOT)
        clock.move_to(SLOT + timedelta(days=7))
        jobs.run_due(SLOT + timedelta(days=7))
    first, second = digests(fake_slack)
    assert section_text(first, "New gaps") == "*New gaps:* none"
    assert section_text(second, "Became overdue") == "*Became overdue:* none"
    assert "(changes since 2026-01-12)" in json.dumps(second.params["blocks"])


def test_a_changed_digest_day_moves_the_schedule(jobs: Jobs, fake_slack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    catalogue = Runtime(jobs.settings, embedder=FakeEmbedder()).catalogue
    with time_machine.travel(T0, tick=False):
        import_register(jobs.db, catalogue, tmp_path, POLICY)
        jobs.run_due(T0)
        jobs.settings = jobs.settings.model_copy(update={"digest_day": "friday", "digest_hour": 14})
        jobs.run_due(T0)
    with jobs.db.session_scope() as session:
        row = session.scalars(select(ReadinessDigest)).one()
    assert row.scheduled_for == datetime(2026, 1, 9, 13, 0, tzinfo=UTC)  # Friday 14:00 Berlin


def test_without_a_security_channel_nothing_is_scheduled(jobs: Jobs, fake_slack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    jobs.settings = jobs.settings.model_copy(update={"security_channel": None})
    catalogue = Runtime(jobs.settings, embedder=FakeEmbedder()).catalogue
    with time_machine.travel(SLOT, tick=False):
        import_register(jobs.db, catalogue, tmp_path, POLICY)
        jobs.run_due(SLOT)
    with jobs.db.session_scope() as session:
        assert session.scalars(select(ReadinessDigest)).first() is None
    assert digests(fake_slack) == []


def test_an_empty_register_skips_the_week_without_failing(jobs: Jobs, fake_slack) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as clock:
        jobs.run_due(T0)
        clock.move_to(SLOT)
        jobs.run_due(SLOT)
    with jobs.db.session_scope() as session:
        rows = list(session.scalars(select(ReadinessDigest).order_by(ReadinessDigest.id)))
    assert [r.status for r in rows] == ["skipped", "scheduled"]
    assert digests(fake_slack) == []
