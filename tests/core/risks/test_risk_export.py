"""The registers in the auditor export and the SoA, checked against the database."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from sqlalchemy import select

from core.config import Settings
from core.evidence.export import soa_rows
from core.models import LedgerRecord
from core.requirements import requirements
from core.risks.models import Risk, RiskVersion
from core.risks.registers import RegisterOptions
from core.risks.review import accept_residual
from core.risks.scale import RiskScale
from core.risks.service import mark_accurate
from core.suppliers.models import Supplier, SupplierVersion
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import csv_rows, export_zip, filled_database
from tests.core.risks.support import import_risks
from tests.core.suppliers.support import import_suppliers

NOW = datetime(2027, 3, 20, 10, 0, tzinfo=UTC)


def _filled(database_url: str, catalogue: Catalogue, settings: Settings):  # type: ignore[no-untyped-def]
    db = filled_database(database_url, catalogue, settings)
    import_risks(db, catalogue)
    import_suppliers(db)
    with db.session_scope() as session:
        r01 = session.scalars(select(Risk).where(Risk.ref == "R-01")).one()
        r02 = session.scalars(select(Risk).where(Risk.ref == "R-02")).one()
        mark_accurate(r01.id, version=1, user_id="UALICE", db_session=session, now=NOW)
        accept_residual(
            r02.id,
            version=1,
            user_id="U0OPSLEAD",
            on_security_team=False,
            scale=RiskScale(),
            db_session=session,
            now=NOW,
        )
    return db


def test_export_holds_the_registers_as_the_database_has_them(
    tmp_path: Path, database_url: str, catalogue: Catalogue, settings: Settings
) -> None:
    db = _filled(database_url, catalogue, settings)
    with time_machine.travel(NOW, tick=False):
        archive = export_zip(db, catalogue, tmp_path / "a.zip", registers=RegisterOptions())
    manifest = json.loads(archive.read("manifest.json"))
    for name in (
        "risks/index.html",
        "risks/R-01.html",
        "risks.csv",
        "suppliers.csv",
        "suppliers/index.html",
    ):
        assert name in manifest["files"], name
    with db.session_scope() as session:
        risks = {r.ref: r for r in session.scalars(select(Risk))}
        seqs = {(v.risk_id, v.version): v.ledger_seq for v in session.scalars(select(RiskVersion))}
        ledger = {r.seq: r for r in session.scalars(select(LedgerRecord))}
        supplier_seqs = {
            (v.supplier_id, v.version): v.ledger_seq
            for v in session.scalars(select(SupplierVersion))
        }
        suppliers = {s.ref: s for s in session.scalars(select(Supplier))}
        rows = csv_rows(archive, "risks.csv")
        assert [r["id"] for r in rows] == sorted(risks)
        for row in rows:
            risk = risks[row["id"]]
            seq = seqs[(risk.id, risk.version)]
            assert row["ledger_seq"] == str(seq)
            payload = json.loads(ledger[seq].payload)
            assert ledger[seq].kind == "risk_change" and payload["risk"] == risk.ref
            assert int(row["score"]) == risk.likelihood * risk.impact
            assert int(row["residual_score"]) == risk.residual_likelihood * risk.residual_impact
        srows = {r["id"]: r for r in csv_rows(archive, "suppliers.csv")}
        assert srows["SUP-PAYROLL"]["assurance_status"] == "expiring"
        assert srows["SUP-AWS"]["assurance_status"] == "current"
        for ref, row in srows.items():
            s = suppliers[ref]
            assert row["ledger_seq"] == str(supplier_seqs[(s.id, s.version)])
        page = archive.read("risks/index.html").decode()
        assert page.count("<svg") == 2
        # Every risk is counted once in its inherent cell and once in its residual cell.
        counts = re.findall(r'data-likelihood="(\d)" data-impact="(\d)">(\d+)<', page)
        inherent = sorted((r.likelihood, r.impact) for r in risks.values())
        residual = sorted((r.residual_likelihood, r.residual_impact) for r in risks.values())
        found = sorted((int(lk), int(im)) for lk, im, n in counts for _ in range(int(n)))
        assert found == sorted(inherent + residual)
    r02 = archive.read("risks/R-02.html").decode()
    assert "U0OPSLEAD" in r02 and "not needed" in r02 and "Acceptances" in r02
    r01 = archive.read("risks/R-01.html").decode()
    assert "accurate" in r01 and "Enforce disk encryption on every laptop" in r01
    assert "expiring" in archive.read("suppliers/index.html").decode()


def test_soa_names_the_risks_each_control_treats(
    database_url: str, catalogue: Catalogue, settings: Settings
) -> None:
    db = _filled(database_url, catalogue, settings)
    annex = [
        r for r in requirements(catalogue).values() if catalogue.entries[r.id].kind == "annex_a"
    ]
    with db.session_scope() as session:
        rows = {r[0]: r for r in soa_rows(db_session=session, annex_a=annex)}
    # R-01 names A.8.1 itself and AC-02 (A.8.5); R-03 names A.6.3 and A.8.5, and HR-01 (A.6.3).
    assert rows["A.8.1"][6] == "R-01"
    assert rows["A.8.5"][6] == "R-01, R-03"
    assert rows["A.6.3"][6] == "R-03"
    assert rows["A.5.30"][6] == "R-02" and rows["A.8.13"][6] == "R-02"
    assert rows["A.8.23"][6] == ""
