"""A closed review turns its control current in readiness; the auditor ZIP matches the database."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core import ledger
from core.access_reviews import decisions, removals, service
from core.access_reviews.models import AccessReviewItem
from core.db import Database
from core.evidence.export import build_export
from core.evidence.register import import_rows, load_register
from core.readiness.service import readiness
from core.requirements import requirements
from knowledge.catalogue import Catalogue
from tests.core.access_reviews.support import import_github, in_two_weeks, organisation
from tests.paths import EXAMPLES

ZONE = ZoneInfo("UTC")


def _closed_review(db: Database, catalogue: Catalogue) -> int:
    rows = load_register(EXAMPLES / "register.csv", catalogue=catalogue)
    with db.session_scope() as session:
        import_rows(rows, db_session=session, actor="t", resolve_user=lambda e: None)
        organisation(session)
        import_github(session)
        review_id = service.start(
            db_session=session,
            systems=["github"],
            mode="manager",
            due=in_two_weeks(),
            created_by="USEC1",
            security=["USEC1"],
            zone=UTC,
        ).id
    with db.session_scope() as session:
        items = list(
            session.scalars(select(AccessReviewItem).where(AccessReviewItem.review_id == review_id))
        )
        for item in items:
            if item.privileged or item.flags:
                choice = "revoke" if item.flags else "keep"
                reason = None if choice == "revoke" else "needs <admin> & more"
                decisions.decide(
                    item.id, choice, user_id=item.reviewer, reason=reason, db_session=session
                )
        for reviewer in {i.reviewer for i in items}:
            decisions.keep_remaining(review_id, user_id=reviewer, db_session=session)
    with db.session_scope() as session:
        first, second = removals.open_removals(db_session=session)
        removals.mark_done(
            first.id, user_id=first.owner, is_security=False, note="gone", db_session=session
        )
        removals.accept_exception(second.id, by="USEC1", reason="legal hold", db_session=session)
    return review_id


def _status(db: Database, catalogue: Catalogue, requirement: str) -> str:
    with db.session_scope() as session:
        found = readiness(
            db_session=session, catalogue=catalogue, soc2_categories=["security"], zone=ZONE
        )
    return next(r.status for r in found.requirements if r.id == requirement)


def test_closing_turns_the_access_control_current_and_the_export_matches(
    database_url: str, catalogue: Catalogue, tmp_path: Path
) -> None:
    db = Database(database_url)
    review_id = _closed_review(db, catalogue)
    assert _status(db, catalogue, "A.5.18") != "current"
    with db.session_scope() as session:
        service.close(review_id, db_session=session, closed_by="USEC1", zone=ZONE)
    assert _status(db, catalogue, "A.5.18") == "current"
    with db.session_scope() as session:
        closed = [
            json.loads(r.payload)
            for r in session.scalars(select(ledger.LedgerRecord))
            if r.kind == "access_review_closed"
        ]
        assert closed[0]["evidence_for"] == ["AC-01"]
        build_export(
            tmp_path / "audit.zip",
            db_session=session,
            requirements=requirements(catalogue),
            zone=ZONE,
        )
        records = {
            r.seq: (r.kind, json.loads(r.payload))
            for r in session.scalars(select(ledger.LedgerRecord))
        }
        items = {i.id: i for i in session.scalars(select(AccessReviewItem))}
    archive = zipfile.ZipFile(tmp_path / "audit.zip")
    manifest = json.loads(archive.read("manifest.json"))
    assert (
        "access_reviews.csv" in manifest["files"]
        and f"access_reviews/review-{review_id}.html" in manifest["files"]
    )
    rows = list(csv.DictReader(io.StringIO(archive.read("access_reviews.csv").decode())))
    assert len(rows) == len(items) == 7
    for row in rows:
        kind, payload = records[int(row["ledger_seq"])]
        assert kind == "access_decision" and payload["account"] == row["account_id"]
        assert payload["decision"] == row["decision"] and payload["by"] == row["decided_by"]
    statuses = sorted(r["removal_status"] for r in rows if r["removal_status"])
    assert statuses == ["done", "exception"]
    page = archive.read(f"access_reviews/review-{review_id}.html").decode()
    sha = rows[0]["snapshot_sha256"]
    assert sha in page and "legal hold" in page and "needs &lt;admin&gt; &amp; more" in page
    snapshot = next(n for n in archive.namelist() if n.startswith(f"files/{sha[:16]}_"))
    import hashlib

    assert hashlib.sha256(archive.read(snapshot)).hexdigest() == sha
