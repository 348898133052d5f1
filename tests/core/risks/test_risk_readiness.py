"""Readiness counts the register controls for risk and supplier management as operating while the
registers' reviews are current; overdue reviews and expired assurances are urgent and in the digest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.blocks.readiness import digest_message
from core.db import Database
from core.readiness import readiness
from core.risks.health import register_alerts
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import import_example_register
from tests.core.risks.support import import_risks
from tests.core.suppliers.support import import_suppliers
from tests.readiness_support import import_register

UTC_ZONE = ZoneInfo("UTC")
ROWS = (
    'RM-01,Risk register kept and reviewed,"6.1.2, 6.1.3, 8.2, 8.3, CC3.2",UALICE,quarterly\n'
    'SM-01,Supplier register kept and reviewed,"A.5.19, A.5.20, CC9.2",UBOB,quarterly\n'
    "AC-01,Access review,A.5.18,UALICE,quarterly\n"
    "AC-02,MFA,A.8.5,UALICE,quarterly\n"
    "OPS-01,Backups tested,A.8.13,UALICE,quarterly\n"
    "HR-01,Awareness training,A.6.3,UBOB,annual\n"
)


def _status(db: Database, catalogue: Catalogue, now: datetime) -> dict[str, str]:
    with db.session_scope() as session:
        report = readiness(
            db_session=session,
            catalogue=catalogue,
            soc2_categories=["security"],
            zone=UTC_ZONE,
            now=now,
        )
        return {r.id: r.status for r in report.requirements} | {
            "urgent": ",".join(r.id for r in report.most_urgent(50) if r.status == "overdue")
        }


def test_register_controls_operate_while_reviews_are_current(
    tmp_path: Path, database_url: str, catalogue: Catalogue
) -> None:
    db = Database(database_url)
    import_register(db, catalogue, tmp_path, ROWS)
    before = _status(db, catalogue, datetime(2026, 12, 2, tzinfo=UTC))
    assert before["6.1.2"] == "no_evidence" and before["A.5.19"] == "no_evidence"
    import_risks(db, catalogue)  # imported 2026-12-01: quarterly reviews due 2027-03-01
    import_suppliers(db)  # PayrollCo's certificate expires 2027-03-31; reviews are annual
    current = _status(db, catalogue, datetime(2027, 1, 15, tzinfo=UTC))
    assert [current[i] for i in ("6.1.2", "6.1.3", "8.2", "8.3", "CC3.2")] == ["current"] * 5
    assert [current[i] for i in ("A.5.19", "A.5.20", "CC9.2")] == ["current"] * 3
    assert current["A.5.18"] == "no_evidence"
    assert current["urgent"] == ""
    late = _status(db, catalogue, datetime(2027, 3, 10, tzinfo=UTC))
    assert late["6.1.2"] == "overdue" and late["A.5.19"] == "current"
    assert "6.1.2" in late["urgent"].split(",")
    expired = _status(db, catalogue, datetime(2027, 4, 2, tzinfo=UTC))
    assert expired["A.5.19"] == "overdue" and "A.5.19" in expired["urgent"].split(",")


def test_digest_lists_overdue_reviews_actions_and_expired_assurances(
    database_url: str, catalogue: Catalogue
) -> None:
    db = Database(database_url)
    import_example_register(db, catalogue)
    import_risks(db, catalogue)
    import_suppliers(db)
    now = datetime(2027, 4, 2, 9, tzinfo=UTC)
    with db.session_scope() as session:
        alerts = register_alerts(db_session=session, now=now, zone=UTC_ZONE)
    whats = [a["what"] for a in alerts]
    assert whats == [
        "Risk R-03 action: Phishing-resistant MFA for admins",
        "Risk R-01 action: Enforce disk encryption on every laptop",
        "Review of risk R-01 Stolen staff laptop",
        "Review of risk R-03 Phishing leads to account takeover",
        "PayrollCo's iso27001 assurance expired",  # both due 2027-03-31
        "Risk R-03 action: Quarterly phishing drills",
    ]
    content = {
        "since": now.isoformat(),
        "frameworks": [],
        "became_overdue": {"total": 0, "items": []},
        "became_stale": {"total": 0, "items": []},
        "new_gaps": {"total": 0, "items": []},
        "top_overdue_owners": [],
        "registers": alerts,
    }
    text = json_text(digest_message(content, UTC_ZONE))
    assert "Risk and supplier registers (6)" in text
    assert "PayrollCo's iso27001 assurance expired, due 2027-03-31" in text


def json_text(message: dict) -> str:  # type: ignore[type-arg]
    import json

    return json.dumps(message["blocks"], ensure_ascii=False)
