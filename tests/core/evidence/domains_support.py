"""Records in the other domains that add register CSVs to the export, each made through its service."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from sqlalchemy import select

from core.access_reviews import decisions, removals, service
from core.access_reviews.models import AccessReviewItem
from core.db import Database
from core.evidence.service import FileUpload
from core.incidents import triage
from core.incidents.service import Report, report
from core.incidents.timeline import Message, add_message
from core.risks.models import Risk
from core.risks.service import mark_accurate
from core.suppliers.models import Supplier
from core.suppliers.service import record_assurance
from knowledge.catalogue import Catalogue
from tests.core.access_reviews.support import import_github, in_two_weeks, organisation
from tests.core.evidence.verify_support import Edit
from tests.core.risks.support import import_risks
from tests.core.suppliers.support import import_suppliers


def add_domains(db: Database, catalogue: Catalogue) -> None:
    """An access review decided in part, an incident with a file, the risks and suppliers with a report."""
    now = datetime.now(UTC).replace(microsecond=0)
    import_risks(db, catalogue)
    import_suppliers(db)
    with db.session_scope() as session:
        organisation(session)
        import_github(session)
        review = service.start(
            db_session=session,
            systems=["github"],
            mode="manager",
            due=in_two_weeks(),
            created_by="USEC1",
            security=["USEC1"],
            zone=UTC,
        )
        risk = session.scalars(select(Risk).where(Risk.ref == "R-01")).one()
        mark_accurate(risk.id, version=risk.version, user_id="UALICE", db_session=session, now=now)
        aws = session.scalars(select(Supplier).where(Supplier.ref == "SUP-AWS")).one()
        record_assurance(
            aws.id,
            FileUpload("soc2-report.pdf", b"%PDF SOC 2 type II"),
            kind="soc2",
            expires=date(now.year + 1, 6, 30),
            user_id=aws.owner_user_id,
            db_session=session,
            now=now,
            max_bytes=10_000,
        )
        incident = report(
            Report(reporter="UALICE", description="=Laptop left on a train", personal_data=False),
            db_session=session,
            now=now,
        )
        triaged = triage.Change(kind="incident", severity="low", handler="USEC1", status="triaged")
        clocks = triage.Clocks(notification_hours=72, review_days=14)
        triage.apply(
            incident.id, triaged, db_session=session, actor="USEC1", clocks=clocks, now=now
        )
        add_message(
            incident.id,
            Message(
                ts="1.1",
                author="USEC1",
                at=now,
                text="Remote wipe done",
                files=(FileUpload("wipe.log", b"wiped"),),
            ),
            db_session=session,
            max_bytes=1000,
        )
    with db.session_scope() as session:
        items = session.scalars(
            select(AccessReviewItem).where(AccessReviewItem.review_id == review.id)
        )
        for item in items:  # the flagged accounts revoked, the privileged kept: the rest undecided
            if item.flags or item.privileged:
                choice = "revoke" if item.flags else "keep"
                reason = None if item.flags else "runs the <deploys>"
                decisions.decide(
                    item.id, choice, user_id=item.reviewer, reason=reason, db_session=session
                )
        first = removals.open_removals(db_session=session)[0]
        removals.mark_done(
            first.id, user_id=first.owner, is_security=False, note="gone", db_session=session
        )


def edit_cell(row: int, column: str, value: str) -> Edit:
    """Set one cell of a CSV (row 1 = the first under the header), rewriting the file as CSV."""

    def edit(data: bytes) -> bytes:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        rows[row][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode("utf-8")

    return edit
