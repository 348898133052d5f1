"""The supplier register: imports with refusals, assurance files, reviews and new-supplier requests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import Database
from core.evidence.service import FileUpload
from core.models import Blob, LedgerRecord
from core.suppliers.models import Supplier, SupplierRequest
from core.suppliers.requests import decide_request, file_request
from core.suppliers.service import (
    SupplierError,
    assurance_status,
    expired_assurances,
    mark_reviewed,
    record_assurance,
    supplier_record,
)
from core.table_import import TableImportError
from tests.core.suppliers.support import T0, import_suppliers

HEADER = "id,name,owner,service,data_handled,criticality,assurance_type,assurance_expires,review_cadence\n"


def _kinds(db: Database) -> list[str]:
    with db.session_scope() as session:
        return list(session.scalars(select(LedgerRecord.kind).order_by(LedgerRecord.seq)))


def test_example_suppliers_import_with_assurance_status(database_url: str) -> None:
    db = Database(database_url)
    assert sorted(import_suppliers(db).created) == ["SUP-AWS", "SUP-PAYROLL", "SUP-SURVEY"]
    with db.session_scope() as session:
        record = supplier_record("amazon web services", db_session=session)
        assert record is not None and record.supplier.ref == "SUP-AWS"
        aws = record.supplier
        assert (aws.criticality, aws.assurance_type) == ("critical", "soc2")
        assert assurance_status(aws, date(2027, 9, 1), 30) == "expiring"
        assert assurance_status(aws, date(2027, 10, 1), 30) == "expired"
        assert assurance_status(aws, date(2027, 1, 1), 30) == "current"
        assert [s.ref for s in expired_assurances(db_session=session, today=date(2027, 4, 1))] == [
            "SUP-PAYROLL"
        ]
    assert _kinds(db) == ["supplier_change"] * 3
    assert import_suppliers(db).unchanged == ["SUP-AWS", "SUP-PAYROLL", "SUP-SURVEY"]


def test_every_problem_is_refused_by_line_and_nothing_is_written(
    tmp_path: Path, database_url: str
) -> None:
    db = Database(database_url)
    path = tmp_path / "suppliers.csv"
    path.write_text(
        HEADER
        + "S-1,Fine,UBOB,x,,low,none,,annual\n"
        + "S-2,Old report,UBOB,x,,high,soc2,2026-01-31,annual\n"
        + "S-3,No date,UBOB,x,,high,iso 27001,,annual\n"
        + "S-4,Odd,UBOB,x,,extreme,pentest,,fortnightly\n"
        + "s-1,Twin,mallory@example.com,x,,low,none,,annual\n"
    )
    with pytest.raises(TableImportError) as caught:
        import_suppliers(db, path)
    assert caught.value.problems == [
        "line 3 (S-2): assurance_expires 2026-01-31 is in the past: ask the supplier for their "
        "current report or certificate and give its expiry date",
        "line 4 (S-3): assurance_expires is empty: a iso27001 report or certificate has an expiry",
        "line 5 (S-4): criticality 'extreme' must be one of low, medium, high, critical",
        "line 5 (S-4): assurance_type 'pentest' must be one of soc2, iso27001, questionnaire, none",
        "line 5 (S-4): review_cadence 'fortnightly' must be one of monthly, quarterly, semiannual, "
        "annual",
        "line 6 (s-1): id s-1 is already used on line 2 as S-1 (case does not tell ids apart)",
        "line 6 (s-1): owner 'mallory@example.com' is not a member of this Slack workspace",
    ]
    with db.session_scope() as session:
        assert session.scalars(select(Supplier)).first() is None
    assert _kinds(db) == []


def test_a_new_report_renews_the_assurance_and_is_kept(database_url: str) -> None:
    db = Database(database_url)
    import_suppliers(db)
    later = datetime(2027, 3, 20, 10, 0, tzinfo=UTC)
    with db.session_scope() as session:
        payroll = session.scalars(select(Supplier).where(Supplier.ref == "SUP-PAYROLL")).one()
        with pytest.raises(SupplierError, match="2027-03-01 is in the past"):
            record_assurance(
                payroll.id,
                FileUpload("old.pdf", b"%PDF old"),
                kind="iso27001",
                expires=date(2027, 3, 1),
                user_id="UBOB",
                db_session=session,
                now=later,
                max_bytes=1000,
            )
        record_assurance(
            payroll.id,
            FileUpload("iso-2027.pdf", b"%PDF cert"),
            kind="iso27001",
            expires=date(2028, 3, 31),
            user_id="UBOB",
            db_session=session,
            now=later,
            max_bytes=1000,
        )
    with db.session_scope() as session:
        record = supplier_record("SUP-PAYROLL", db_session=session)
        assert record is not None
        assert record.supplier.assurance_expires == date(2028, 3, 31)
        assert [(v.version, v.how) for v in record.versions] == [(1, "import"), (2, "assurance")]
        (kept,) = record.assurances
        assert kept.file_name == "iso-2027.pdf"
        blob = session.get(Blob, kept.blob_sha256)
        assert blob is not None and blob.content == b"%PDF cert"
    assert _kinds(db)[-2:] == ["supplier_assurance", "supplier_change"]


def test_only_the_owner_reviews_a_supplier(database_url: str) -> None:
    db = Database(database_url)
    import_suppliers(db)
    with db.session_scope() as session:
        aws = session.scalars(select(Supplier).where(Supplier.ref == "SUP-AWS")).one()
        with pytest.raises(SupplierError, match="Only the owner of Amazon Web Services"):
            mark_reviewed(aws.id, user_id="UBOB", db_session=session, now=T0)
        mark_reviewed(aws.id, user_id="U0OPSLEAD", db_session=session, now=T0)
        assert aws.next_review_at == datetime(2027, 12, 1, 10, 0, tzinfo=UTC)
    assert _kinds(db)[-1] == "supplier_review"


def test_a_request_approved_becomes_a_register_entry(database_url: str) -> None:
    db = Database(database_url)
    with db.session_scope() as session, pytest.raises(SupplierError, match="supplier's name"):
        file_request(
            name="  ", purpose="x", data_shared="", user_id="UALICE", db_session=session, now=T0
        )
    with db.session_scope() as session:
        request = file_request(
            name="Acme Analytics",
            purpose="Product analytics",
            data_shared="Pseudonymous usage events",
            user_id="UALICE",
            db_session=session,
            now=T0,
        )
        rid = request.id
    with db.session_scope() as session, pytest.raises(SupplierError, match="reason"):
        decide_request(rid, approve=True, reason=" ", user_id="USEC1", db_session=session, now=T0)
    with db.session_scope() as session:
        decide_request(
            rid, approve=True, reason="DPA signed", user_id="USEC1", db_session=session, now=T0
        )
    with db.session_scope() as session:
        request = session.get(SupplierRequest, rid)
        assert request is not None and request.status == "approved"
        supplier = session.get(Supplier, request.supplier_id)
        assert supplier is not None
        assert (supplier.ref, supplier.owner_user_id) == ("SUP-ACME-ANALYTICS", "UALICE")
        assert supplier.data_handled == "Pseudonymous usage events"
        with pytest.raises(SupplierError, match="already approved by <@USEC1>"):
            decide_request(
                rid, approve=False, reason="no", user_id="USEC1", db_session=session, now=T0
            )
    assert _kinds(db) == ["supplier_request", "supplier_change", "supplier_request_decision"]
