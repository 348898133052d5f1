"""Risk and supplier due items in the reminder engine, under a frozen clock: review cards, overdue
treatment actions escalating, and an expiring assurance nudged, then renewed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import time_machine
from sqlalchemy import select

from bot.ids import Action
from core.evidence.service import FileUpload
from core.reminders.models import DueItem
from core.risks.models import Risk, RiskAction
from core.risks.service import mark_accurate
from core.suppliers.models import Supplier
from core.suppliers.service import record_assurance
from jobs.runner import Jobs
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import import_example_register
from tests.core.risks.support import import_risks
from tests.core.suppliers.support import import_suppliers


def _run(jobs: Jobs, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        jobs.run_due(when)


def _posted(workspace, channel: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [c.params for c in workspace.named("chat.postMessage") if c.params["channel"] == channel]


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["value"])
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def _setup(jobs: Jobs, workspace, catalogue: Catalogue) -> None:  # type: ignore[no-untyped-def]
    for user in ("UBOB", "U0OPSLEAD"):
        workspace.add_user(user, tz="Europe/Berlin")
    import_example_register(jobs.db, catalogue)
    import_risks(jobs.db, catalogue)  # 2026-12-01: quarterly reviews due 2027-03-01 10:00 UTC


def test_a_review_reminder_carries_the_card_and_a_review_moves_it(
    jobs: Jobs, workspace, catalogue: Catalogue
) -> None:  # type: ignore[no-untyped-def]
    _setup(jobs, workspace, catalogue)
    with jobs.db.session_scope() as session:
        r01 = session.scalars(select(Risk).where(Risk.ref == "R-01")).one().id
    _run(jobs, datetime(2027, 2, 22, 16, tzinfo=UTC))  # 11:00 in New York, 7 days before
    reviews = [m for m in _posted(workspace, "UALICE") if "Review of risk R-01" in m["text"]]
    assert len(reviews) == 1
    assert (
        reviews[0]["text"] == ":wave: Review of risk R-01 Stolen staff laptop is due on 2027-03-01."
    )
    assert _buttons(reviews[0])[:2] == [
        (Action.RISK_ACCURATE, f"{r01}:1"),
        (Action.RISK_UPDATE, f"{r01}:1"),
    ]
    assert Action.SNOOZE_ITEM in [a for a, _ in _buttons(reviews[0])]
    with jobs.db.session_scope() as session:
        mark_accurate(
            r01,
            version=1,
            user_id="UALICE",
            db_session=session,
            now=datetime(2027, 2, 23, tzinfo=UTC),
        )
        item = session.scalars(select(DueItem).where(DueItem.key == f"risk_review:{r01}")).one()
        assert (item.status, item.due_at) == ("open", datetime(2027, 5, 23, tzinfo=UTC))
    _run(jobs, datetime(2027, 3, 1, 16, tzinfo=UTC))
    again = [m for m in _posted(workspace, "UALICE") if "Review of risk R-01" in m["text"]]
    assert len(again) == 1  # nothing more until the next review comes near


def test_an_overdue_treatment_action_escalates_to_the_security_channel(
    jobs: Jobs, workspace, catalogue: Catalogue
) -> None:  # type: ignore[no-untyped-def]
    _setup(jobs, workspace, catalogue)
    # R-03's "Phishing-resistant MFA for admins" was due 2027-01-31; escalation after 7 days.
    _run(jobs, datetime(2027, 2, 9, 10, tzinfo=UTC))
    escalated = [m for m in _posted(workspace, "CSEC") if "Phishing-resistant MFA" in m["text"]]
    assert len(escalated) == 1 and "Assigned to <@UBOB>" in escalated[0]["text"]
    assert _buttons(escalated[0]) == []
    with jobs.db.session_scope() as session:
        action = session.scalars(
            select(RiskAction).where(RiskAction.text == "Phishing-resistant MFA for admins")
        ).one()
    to_owner = [m for m in _posted(workspace, "UBOB") if "Phishing-resistant MFA" in m["text"]]
    assert to_owner and _buttons(to_owner[0])[0] == (Action.RISK_ACTION_DONE, str(action.id))


def test_an_expiring_assurance_is_nudged_then_renewed(
    jobs: Jobs, workspace, catalogue: Catalogue
) -> None:  # type: ignore[no-untyped-def]
    _setup(jobs, workspace, catalogue)
    import_suppliers(jobs.db)  # PayrollCo (UBOB): ISO certificate expires 2027-03-31
    _run(jobs, datetime(2027, 3, 1, 10, tzinfo=UTC))  # 30 days before, 11:00 in Berlin
    nudged = [m for m in _posted(workspace, "UBOB") if "PayrollCo's iso27001" in m["text"]]
    assert len(nudged) == 1 and "expires 2027-03-31" in nudged[0]["text"]
    with jobs.db.session_scope() as session:
        payroll = session.scalars(select(Supplier).where(Supplier.ref == "SUP-PAYROLL")).one()
        record_assurance(
            payroll.id,
            FileUpload("iso-2028.pdf", b"%PDF"),
            kind="iso27001",
            expires=date(2028, 3, 31),
            user_id="UBOB",
            db_session=session,
            now=datetime(2027, 3, 2, tzinfo=UTC),
            max_bytes=1000,
        )
        item = session.scalars(
            select(DueItem).where(DueItem.key == f"supplier_assurance:{payroll.id}")
        ).one()
        assert item.due_at == datetime(2028, 3, 31, tzinfo=UTC)
    _run(jobs, datetime(2027, 3, 31, 10, tzinfo=UTC))
    after = [m for m in _posted(workspace, "UBOB") if "PayrollCo's iso27001" in m["text"]]
    assert len(after) == 1
