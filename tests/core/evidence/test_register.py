"""The control register: CSV and YAML imports, all-or-nothing with line numbers, history on re-import."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.evidence.register import RegisterImportError, import_rows, read_rows, validate
from core.models import LedgerRecord, OrgControl, OrgControlVersion
from core.requirements import requirement_resolver
from knowledge.catalogue import Catalogue
from tests.paths import EXAMPLES

EXAMPLE = EXAMPLES / "register.csv"


def _import(path: Path, db: Database, catalogue: Catalogue, resolve=lambda e: None):  # type: ignore[no-untyped-def]
    rows = validate(
        read_rows(path),
        resolve_requirement=requirement_resolver(catalogue),
        known_ids=list(catalogue.entries),
    )
    with db.session_scope() as session:
        return import_rows(rows, db_session=session, actor="tester", resolve_user=resolve)


def test_example_register_imports(database_url: str, catalogue: Catalogue) -> None:
    db = Database(database_url)
    result = _import(
        EXAMPLE,
        db,
        catalogue,
        resolve=lambda email: "UALICE" if email.startswith("alice") else None,
    )
    assert len(result.created) == 5
    with db.session_scope() as session:
        ac01 = session.scalars(select(OrgControl).where(OrgControl.ref == "AC-01")).one()
        assert ac01.requirements == ["A.5.18", "CC6.2", "CC6.3"]
        assert ac01.owner_user_id == "UALICE"
        assert (
            session.scalars(select(OrgControl).where(OrgControl.ref == "OPS-01"))
            .one()
            .owner_user_id
            == "U0OPSLEAD"
        )
        ph = session.scalars(select(OrgControl).where(OrgControl.ref == "PH-01")).one()
        assert not ph.applicable and "cloud" in ph.justification
        assert session.scalar(select(func.count()).select_from(LedgerRecord)) == 5


def test_yaml_register_and_legacy_ids_are_normalised(
    tmp_path: Path, database_url: str, catalogue: Catalogue
) -> None:
    path = tmp_path / "register.yaml"
    path.write_text(
        "controls:\n"
        "  - id: LOG-01\n    title: Central logging\n    requirements: [A.12.4.1, cc7.2]\n"
        "    owner: U0LOG\n    cadence: '0 9 1 * *'\n"
    )
    _import(path, Database(database_url), catalogue)
    with Database(database_url).session_scope() as session:
        control = session.scalars(select(OrgControl)).one()
        assert control.requirements == ["A.8.15", "CC7.2"]
        assert control.cadence == "0 9 1 * *"


def test_reimport_updates_in_place_and_keeps_history(
    tmp_path: Path, database_url: str, catalogue: Catalogue
) -> None:
    db = Database(database_url)
    _import(EXAMPLE, db, catalogue)
    changed = tmp_path / "register.csv"
    changed.write_text(
        EXAMPLE.read_text().replace(
            "Quarterly access review", "Quarterly access review (prod + staging)"
        )
    )
    result = _import(changed, db, catalogue)
    assert result.updated == ["AC-01"] and len(result.unchanged) == 4
    with db.session_scope() as session:
        control = session.scalars(select(OrgControl).where(OrgControl.ref == "AC-01")).one()
        assert control.version == 2 and "staging" in control.title
        versions = session.scalars(
            select(OrgControlVersion.version).where(OrgControlVersion.control_id == control.id)
        )
        assert sorted(versions) == [1, 2]
        assert session.scalar(select(func.count()).select_from(OrgControl)) == 5


def test_bad_rows_are_reported_by_line_and_nothing_changes(
    tmp_path: Path, database_url: str, catalogue: Catalogue
) -> None:
    db = Database(database_url)
    _import(EXAMPLE, db, catalogue)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,title,requirements,owner,cadence,applicable,justification\n"
        "AC-01,Changed title,A.5.18,alice@example.com,quarterly,yes,\n"
        "X-1,Bad requirement,A.5.99,alice@example.com,monthly,yes,\n"
        "X-2,Bad owner,A.5.1,alice,monthly,yes,\n"
        "X-3,Bad cadence,A.5.1,U0X,fortnightly,yes,\n"
        "X-4,Excluded without reason,A.7.1,U0X,annual,no,\n"
        "X-1,Duplicate,A.5.1,U0X,annual,yes,\n"
    )
    with pytest.raises(RegisterImportError) as info:
        _import(bad, db, catalogue)
    problems = info.value.problems
    assert any(
        p.startswith("line 3 (X-1): requirement 'A.5.99' is not a catalogue ID") for p in problems
    )
    assert any(p.startswith("line 4 (X-2): owner 'alice'") for p in problems)
    assert any(p.startswith("line 5 (X-3): cadence 'fortnightly'") for p in problems)
    assert any(
        p.startswith("line 6 (X-4): a control that is not applicable needs a justification")
        for p in problems
    )
    assert any(p.startswith("line 7 (X-1): id X-1 is already used on line 3") for p in problems)
    with db.session_scope() as session:
        assert (
            session.scalars(select(OrgControl.title).where(OrgControl.ref == "AC-01")).one()
            == "Quarterly access review"
        )


def test_missing_column_and_wrong_format(tmp_path: Path) -> None:
    csv_file = tmp_path / "r.csv"
    csv_file.write_text("id,title\nA,B\n")
    with pytest.raises(RegisterImportError, match="line 1: missing column"):
        read_rows(csv_file)
    other = tmp_path / "r.xlsx"
    other.write_text("x")
    with pytest.raises(RegisterImportError, match="use a .csv, .yaml or .yml file"):
        read_rows(other)


def test_ids_that_differ_only_in_case_are_refused(
    tmp_path: Path, database_url: str, catalogue: Catalogue
) -> None:
    from core.evidence.service import control_by_ref

    db = Database(database_url)
    _import(EXAMPLE, db, catalogue)
    header = "id,title,requirements,owner,cadence\n"
    twin_in_file = tmp_path / "twins.csv"
    twin_in_file.write_text(
        header + "LOG-01,Logging,A.8.15,U0X,monthly\nlog-01,Logging again,A.8.15,U0X,monthly\n"
    )
    with pytest.raises(RegisterImportError) as info:
        _import(twin_in_file, db, catalogue)
    assert info.value.problems == [
        "line 3 (log-01): id log-01 is already used on line 2 as LOG-01 "
        "(case does not tell ids apart)"
    ]
    twin_of_stored = tmp_path / "twin.csv"
    twin_of_stored.write_text(header + "ac-01,Another access review,A.5.18,U0X,quarterly\n")
    with pytest.raises(RegisterImportError) as info:
        _import(twin_of_stored, db, catalogue)
    assert info.value.problems == [
        "line 2 (ac-01): the register already has AC-01; use that id (case does not tell ids apart)"
    ]
    with db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(OrgControl)) == 5
        found = control_by_ref(" ac-01 ", db_session=session)
        assert found is not None and found.ref == "AC-01"


def test_a_register_from_before_with_case_twins_matches_only_exactly(
    database_url: str, catalogue: Catalogue
) -> None:
    from core.evidence.handin import mentioned_target
    from core.evidence.service import control_by_ref

    db = Database(database_url)
    with db.session_scope() as session:
        for ref in ("ac-01", "AC-01"):
            session.add(
                OrgControl(ref=ref, title=ref, requirements=[], owner="U0X", cadence="annual")
            )
    with db.session_scope() as session:
        assert control_by_ref("AC-01", db_session=session).ref == "AC-01"  # type: ignore[union-attr]
        assert control_by_ref("ac-01", db_session=session).ref == "ac-01"  # type: ignore[union-attr]
        assert control_by_ref("Ac-01", db_session=session) is None  # names neither of the two
        said = "AC-01 review done"
        assert mentioned_target(said, db_session=session, catalogue=catalogue) == "AC-01"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "excel.csv",
            "id,title,requirements,owner,cadence\nAC-01,Accès,A.5.18,U0X,annual\n".encode("cp1252"),
            "excel.csv line 2: not UTF-8 (byte 0xe8); save it as 'CSV UTF-8'",
        ),
        (
            "typo.csv",
            b"id,title,requirements,onwer,owner,cadence\n",
            "typo.csv line 1: unknown column(s) onwer; expected",
        ),
        ("bad.yaml", b"controls: [\n", "bad.yaml line 2: not valid YAML"),
        ("list.yaml", b"- a\n- b\n", "list.yaml line 1: each control must be a mapping of columns"),
        ("notes.txt", b"AC-01\n", "notes.txt: use a .csv, .yaml or .yml file"),
    ],
)
def test_unreadable_register_files_say_what_to_do(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RegisterImportError) as info:
        read_rows(path)
    assert info.value.problems[0].startswith(expected), info.value.problems
