"""The readiness service on SQLite and PostgreSQL: statuses under a moving clock, tallies, scope."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.db import Database
from core.evidence.service import plan_requests
from core.readiness import Readiness, ReadinessError, readiness
from knowledge.catalogue import Catalogue
from tests.readiness_support import decide, hand_in, import_register, request_status

UTC_ZONE = ZoneInfo("UTC")
T0 = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)  # in 2026-Q1
HR = 'HR-01,Security awareness training,"A.6.3, 7.2",alice@example.com,annual,LMS report,yes,,\n'
BK = "BK-01,Backups tested,A.8.13,bob@example.com,quarterly,Restore test record,yes,,\n"


@pytest.fixture
def db(settings) -> Database:  # type: ignore[no-untyped-def]
    return Database(settings.database_url)


def measure(
    db: Database, catalogue: Catalogue, categories: tuple[str, ...] = ("security",), **kw: object
) -> Readiness:
    with db.session_scope() as session:
        return readiness(
            db_session=session,
            catalogue=catalogue,
            soc2_categories=categories,
            zone=UTC_ZONE,
            **kw,  # type: ignore[arg-type]
        )


def status_of(result: Readiness, requirement_id: str) -> str:
    return next(r.status for r in result.requirements if r.id == requirement_id)


def item(result: Readiness, requirement_id: str):  # type: ignore[no-untyped-def]
    return next(r for r in result.requirements if r.id == requirement_id)


def test_an_empty_register_says_so_and_points_at_register_import(db, catalogue) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReadinessError, match="register is empty") as caught:
        measure(db, catalogue)
    assert "compliance-bot register import" in str(caught.value)


def test_a_requirement_moves_gap_to_overdue_under_a_moving_clock(
    db: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    both = ("security", "availability")
    with time_machine.travel(T0, tick=False) as clock:
        import_register(db, catalogue, tmp_path, HR)
        assert status_of(measure(db, catalogue, both), "A.8.13") == "gap"

        import_register(db, catalogue, tmp_path, HR + BK)
        now = measure(db, catalogue, both)
        assert status_of(now, "A.8.13") == "no_evidence"
        assert item(now, "A.8.13").due_at == datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)
        assert item(now, "A.8.13").owners == ["UBOB"]

        request_id = hand_in(db, "BK-01", UTC_ZONE, now=T0, text="restore test took 14 minutes")
        assert status_of(measure(db, catalogue, both), "A.8.13") == "submitted"

        clock.move_to(datetime(2026, 1, 13, 9, tzinfo=UTC))
        decide(db, request_id, accept=True)
        now = measure(db, catalogue, both)
        assert status_of(now, "A.8.13") == "current"
        assert item(now, "A.8.13").last_accepted == datetime(2026, 1, 13, 9, tzinfo=UTC)
        # A1.2 is A.8.13's crosswalk partner, but no register control implements it.
        assert status_of(now, "A1.2") == "gap"

        clock.move_to(datetime(2026, 4, 2, 9, tzinfo=UTC))  # a new quarter: Q1 evidence is stale
        now = measure(db, catalogue, both)
        assert status_of(now, "A.8.13") == "no_evidence" and item(now, "A.8.13").stale
        with db.session_scope() as session:
            plan_requests(datetime(2026, 4, 2, 9, tzinfo=UTC), UTC_ZONE, db_session=session)

        clock.move_to(datetime(2026, 7, 1, 9, tzinfo=UTC))  # Q2's request was never answered
        now = measure(db, catalogue, both)
        assert status_of(now, "A.8.13") == "overdue"
        assert item(now, "A.8.13").due_at == datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)
        assert item(now, "A.8.13").responsible == ["UBOB"]

        # Q2 can no longer be handed in; evidence for Q3 waits on the reviewer, then counts.
        q3 = hand_in(db, "BK-01", UTC_ZONE, now=datetime(2026, 7, 1, 9, tzinfo=UTC), text="Q3")
        assert status_of(measure(db, catalogue, both), "A.8.13") == "submitted"
        decide(db, q3, accept=True)
        assert status_of(measure(db, catalogue, both), "A.8.13") == "current"


def test_a_rejection_past_the_due_date_is_overdue(db, catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as clock:
        import_register(db, catalogue, tmp_path, BK)
        request_id = hand_in(db, "BK-01", UTC_ZONE, now=T0, text="a screenshot")
        decide(db, request_id, accept=False, comment="show the restore duration")
        assert request_status(db, request_id) == "rejected"
        assert status_of(measure(db, catalogue), "A.8.13") == "no_evidence"
        clock.move_to(datetime(2026, 4, 1, 0, 30, tzinfo=UTC))
        assert status_of(measure(db, catalogue), "A.8.13") == "overdue"


def test_current_needs_every_implementing_control(db, catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    second = "BK-02,Offsite copies,A.8.13,alice@example.com,annual,Offsite log,yes,,\n"
    with time_machine.travel(T0, tick=False):
        import_register(db, catalogue, tmp_path, BK + second)
        decide(db, hand_in(db, "BK-01", UTC_ZONE, now=T0, text="restore"), accept=True)
        result = measure(db, catalogue)
        backup = item(result, "A.8.13")
        assert backup.status == "no_evidence" and backup.responsible == ["UALICE"]
        assert [c.ref for c in backup.controls] == ["BK-01", "BK-02"]
        hand_in(db, "BK-02", UTC_ZONE, now=T0, text="offsite log")
        assert status_of(measure(db, catalogue), "A.8.13") == "submitted"


def test_tallies_scope_and_ready_share(db, catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = (
        HR
        + BK
        + 'PH-01,Data centre,"A.7.1, A.7.2, CC6.4",bob@example.com,annual,n/a,no,Cloud hosted,\n'
        + "IA-01,Internal audit programme,9.2,alice@example.com,annual,Audit plan,yes,,\n"
    )
    with time_machine.travel(T0, tick=False):
        import_register(db, catalogue, tmp_path, rows)
        decide(db, hand_in(db, "HR-01", UTC_ZONE, now=T0, text="report"), accept=True)
        result = measure(db, catalogue)
    iso, soc2 = result.frameworks
    assert (iso.framework, soc2.framework) == ("iso27001", "soc2")
    # 30 clause requirements (headings with sub-clauses are groupings) and 93 Annex A controls.
    assert iso.in_scope == 123 and soc2.in_scope == 61
    assert "6.1" not in {r.id for r in result.requirements}
    assert status_of(result, "9.2.1") == status_of(result, "9.2.2") == "no_evidence"
    assert status_of(result, "A.6.3") == status_of(result, "7.2") == "current"
    assert status_of(result, "A.7.1") == status_of(result, "A.7.2") == "not_applicable"
    assert status_of(result, "CC6.4") == "gap"  # only Annex A may be excluded in the register
    assert status_of(result, "A1.2") == "not_applicable"  # availability is not in scope
    assert iso.tally.counts["current"] == 2 and iso.tally.counts["not_applicable"] == 2
    assert iso.tally.counts["no_evidence"] == 3 and iso.tally.counts["gap"] == 123 - 7
    assert iso.ready == round(2 / (123 - 2), 4)
    assert soc2.tally.counts["not_applicable"] == 61 - 33 and soc2.ready == 0.0
    people = next(g for g in iso.groups if g.id == "A.6")
    assert people.counts["current"] == 1 and people.total == 8 and people.ready == 0.125
    physical = next(g for g in iso.groups if g.id == "A.7")
    assert physical.ready == 0 and physical.applicable == 12
    privacy = next(g for g in soc2.groups if g.id == "privacy")
    assert privacy.ready is None and privacy.counts["not_applicable"] == 18
    assert [g.id for g in iso.groups] == [
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10",
        "A.5",
        "A.6",
        "A.7",
        "A.8",
    ]


def test_one_framework_and_the_most_urgent_items(db, catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as clock:
        import_register(db, catalogue, tmp_path, HR + BK)
        with db.session_scope() as session:
            plan_requests(T0, UTC_ZONE, db_session=session)
        clock.move_to(datetime(2026, 4, 3, tzinfo=UTC))
        result = measure(db, catalogue, framework="iso27001")
    assert [f.framework for f in result.frameworks] == ["iso27001"]
    assert {r.framework for r in result.requirements} == {"iso27001"}
    urgent = result.most_urgent()
    assert len(urgent) == 10
    assert urgent[0].id == "A.8.13" and urgent[0].status == "overdue"
    assert [r.status for r in urgent[1:]] == ["gap"] * 9 and urgent[1].id == "4.1"
    with pytest.raises(ReadinessError, match="iso27001 or soc2"):
        measure(db, catalogue, framework="pci")


def test_json_has_exactly_the_issue_shape(db, catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False):
        import_register(db, catalogue, tmp_path, BK)
        data = measure(db, catalogue).as_json()
    assert set(data) == {"generated_at", "frameworks", "requirements"}
    assert data["generated_at"] == T0.isoformat()
    framework = data["frameworks"][0]
    assert set(framework) == {"framework", "in_scope", "counts", "ready", "groups"}
    assert set(framework["counts"]) == {
        "gap",
        "no_evidence",
        "submitted",
        "current",
        "overdue",
        "not_applicable",
    }
    assert set(framework["groups"][0]) == {"id", "title", "counts", "ready"}
    backup = next(r for r in data["requirements"] if r["id"] == "A.8.13")
    assert backup == {
        "id": "A.8.13",
        "framework": "iso27001",
        "title": "Information backup",
        "status": "no_evidence",
        "controls": ["BK-01"],
        "owners": ["UBOB"],
        "last_accepted": None,
        "due_at": "2026-03-31T23:59:59+00:00",
    }
