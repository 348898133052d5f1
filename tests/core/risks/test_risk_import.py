"""`risk import`: CSV and XLSX, all-or-nothing with line numbers, versions and ledger records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from core.db import Database
from core.models import LedgerRecord
from core.risks.models import Risk, RiskAction, RiskVersion
from core.risks.service import risk_record
from core.table_import import TableImportError
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import import_example_register
from tests.core.risks.support import EXAMPLE_RISKS, filled_risks, import_risks

HEADER = (
    "id,title,description,owner,assets,likelihood,impact,treatment,controls,treatment_plan,"
    "residual_likelihood,residual_impact,review_cadence\n"
)


def _ledger(db: Database, kind: str) -> int:
    with db.session_scope() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(LedgerRecord).where(LedgerRecord.kind == kind)
            )
            or 0
        )


def test_example_risks_import_with_controls_plan_and_ledger(
    database_url: str, catalogue: Catalogue
) -> None:
    db = filled_risks(database_url, catalogue)
    with db.session_scope() as session:
        r01 = risk_record("r-01", db_session=session)
        assert r01 is not None
        risk = r01.risk
        assert (risk.owner_user_id, risk.likelihood, risk.impact) == ("UALICE", 3, 4)
        assert risk.controls == ["AC-02"] and risk.requirements == ["A.8.1"]
        assert risk.assets == ["laptops", "customer data"]
        assert [(a.due, a.text) for a in r01.actions] == [
            (date(2027, 2, 28), "Enforce disk encryption on every laptop")
        ]
        assert [v.version for v in r01.versions] == [1] and r01.versions[0].ledger_seq
        r02 = session.scalars(select(Risk).where(Risk.ref == "R-02")).one()
        # No residual scores given on R-02: the inherent ones stand.
        assert (r02.residual_likelihood, r02.residual_impact) == (2, 5)
        assert session.scalar(select(func.count()).select_from(RiskAction)) == 3
    assert _ledger(db, "risk_change") == 3


def test_every_problem_is_refused_by_line_and_nothing_is_written(
    tmp_path: Path, database_url: str, catalogue: Catalogue
) -> None:
    db = Database(database_url)
    import_example_register(db, catalogue)
    path = tmp_path / "risks.csv"
    path.write_text(
        HEADER
        + "R-1,Fine,,alice@example.com,,1,1,mitigate,AC-01,,,,annual\n"
        + "R-2,Too likely,,alice@example.com,,6,0,mitigate,,,,,annual\n"
        + "R-3,Bad treatment,,alice@example.com,,2,2,ignore,,,,,annual\n"
        + "R-4,Unknown control,,alice@example.com,,2,2,mitigate,XX-99,,,,annual\n"
        + "R-5,Stranger,,mallory@example.com,,2,2,mitigate,,,,,annual\n"
        + "r-1,Twin,,alice@example.com,,2,2,mitigate,,,,,annual\n"
        + "R-7,Plan,,alice@example.com,,2,2,mitigate,,soon fix it,,,weekly\n"
    )
    with pytest.raises(TableImportError) as caught:
        import_risks(db, catalogue, path)
    problems = caught.value.problems
    assert problems == [
        "line 3 (R-2): likelihood '6' is outside the scale: use a whole number 1 to 5",
        "line 3 (R-2): impact '0' is outside the scale: use a whole number 1 to 5",
        "line 4 (R-3): treatment 'ignore' must be one of mitigate, accept, transfer, avoid",
        "line 5 (R-4): control 'XX-99' is neither a register control nor a catalogue ID",
        "line 6 (R-5): owner 'mallory@example.com' is not a member of this Slack workspace",
        "line 7 (r-1): id r-1 is already used on line 2 as R-1 (case does not tell ids apart)",
        "line 8 (R-7): treatment_plan step 'soon fix it' must start with its due date, "
        "e.g. '2027-03-31 Roll out MFA'",
        "line 8 (R-7): review_cadence 'weekly' must be one of monthly, quarterly, semiannual, annual",
    ]
    assert "risk register not imported, nothing changed" in str(caught.value)
    with db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Risk)) == 0
    assert _ledger(db, "risk_change") == 0


def test_a_new_id_differing_only_in_case_from_a_stored_one_is_refused(
    tmp_path: Path, database_url: str, catalogue: Catalogue
) -> None:
    db = filled_risks(database_url, catalogue)
    path = tmp_path / "risks.csv"
    path.write_text(HEADER + "r-01,Twin,,alice@example.com,,2,2,mitigate,,,,,annual\n")
    with pytest.raises(TableImportError, match=r"line 2 \(r-01\): the register already has R-01"):
        import_risks(db, catalogue, path)


def test_reimport_keeps_versions_and_replans_actions(
    tmp_path: Path, database_url: str, catalogue: Catalogue
) -> None:
    db = filled_risks(database_url, catalogue)
    changed = tmp_path / "risks.csv"
    changed.write_text(
        EXAMPLE_RISKS.read_text().replace(
            "2027-02-28 Enforce disk encryption on every laptop",
            "2027-03-15 Remote wipe for every laptop",
        )
    )
    result = import_risks(db, catalogue, changed)
    assert (result.created, result.updated, sorted(result.unchanged)) == (
        [],
        ["R-01"],
        ["R-02", "R-03"],
    )
    with db.session_scope() as session:
        record = risk_record("R-01", db_session=session)
        assert record is not None and record.risk.version == 2
        assert [(a.text, a.status) for a in record.actions] == [
            ("Enforce disk encryption on every laptop", "dropped"),
            ("Remote wipe for every laptop", "open"),
        ]
        versions = session.scalars(select(RiskVersion).order_by(RiskVersion.version)).all()
        assert [v.version for v in versions if v.risk_id == record.risk.id] == [1, 2]
    assert _ledger(db, "risk_change") == 4


def test_xlsx_risks_import_with_row_numbers(
    tmp_path: Path, database_url: str, catalogue: Catalogue
) -> None:
    db = Database(database_url)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    sheet.append(
        ["X-1", "Ransomware", "", "UBOB", "", 4, 5, "transfer", "A.5.29", "", 2, 5, "annual"]
    )
    sheet.append(["X-2", "Bad", "", "UBOB", "", 9, 5, "mitigate", "", "", "", "", "annual"])
    path = tmp_path / "risks.xlsx"
    book.save(path)
    with pytest.raises(TableImportError, match=r"line 3 \(X-2\): likelihood '9'"):
        import_risks(db, catalogue, path, people={"UBOB": "UBOB"})
    sheet.delete_rows(3)
    book.save(path)
    assert import_risks(db, catalogue, path, people={"UBOB": "UBOB"}).created == ["X-1"]
    with db.session_scope() as session:
        risk = session.scalars(select(Risk)).one()
        assert (risk.likelihood, risk.impact, risk.requirements) == (4, 5, ["A.5.29"])


def test_a_file_that_is_not_a_register_is_refused_clearly(tmp_path: Path) -> None:
    from core.risks.importing import read_risks

    path = tmp_path / "risks.csv"
    path.write_text("id,title,colour\nR-1,x,red\n")
    with pytest.raises(TableImportError, match="line 1: missing column"):
        read_risks(path)
    path.write_text(HEADER.strip() + ",colour\n")
    with pytest.raises(TableImportError, match="unknown column"):
        read_risks(path)
    odd = tmp_path / "risks.txt"
    odd.write_text(HEADER)
    with pytest.raises(TableImportError, match="send a .xlsx or .csv"):
        read_risks(odd)
