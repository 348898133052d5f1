"""Helpers for readiness tests: a register from CSV text, evidence handed in and reviewed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.db import Database
from core.evidence.register import import_rows, read_rows, validate
from core.evidence.service import review, submit
from core.models import EvidenceRequest, OrgControl
from core.requirements import requirement_resolver
from knowledge.catalogue import Catalogue

HEADER = "id,title,requirements,owner,cadence,expected_evidence,applicable,justification,manager\n"
OWNERS = {"alice@example.com": "UALICE", "bob@example.com": "UBOB"}


def import_register(db: Database, catalogue: Catalogue, folder: Path, rows: str) -> None:
    """Import register rows (CSV lines without the header), owners resolved to Slack IDs."""
    path = folder / "register.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    parsed = validate(
        read_rows(path),
        resolve_requirement=requirement_resolver(catalogue),
        known_ids=list(catalogue.entries),
    )
    with db.session_scope() as session:
        import_rows(parsed, db_session=session, actor="test", resolve_user=OWNERS.get)


def hand_in(db: Database, ref: str, zone: ZoneInfo, *, now: datetime, text: str) -> int:
    """Submit text evidence for a control's current period; the request's ID."""
    with db.session_scope() as session:
        control = session.scalars(select(OrgControl).where(OrgControl.ref == ref)).one()
        result = submit(
            [control],
            db_session=session,
            submitted_by=control.owner_user_id or control.owner,
            text=text,
            now=now,
            zone=zone,
            max_bytes=1_000_000,
        )
        return result.submissions[0].request_id


def decide(db: Database, request_id: int, *, accept: bool, comment: str | None = None) -> None:
    """Accept or reject a submitted request as the security team."""
    with db.session_scope() as session:
        review(request_id, accept=accept, reviewer="USEC1", comment=comment, db_session=session)


def request_status(db: Database, request_id: int) -> str:
    """The stored status of one evidence request."""
    with db.session_scope() as session:
        request = session.get(EvidenceRequest, request_id)
        assert request is not None
        return request.status
