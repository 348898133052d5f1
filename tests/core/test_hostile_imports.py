"""Hostile or oversized imports are refused with one line naming the line, on both databases."""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from core.db import Database
from core.evidence.register import RegisterImportError, import_rows, load_register
from core.imports import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, MAX_YAML_DEPTH
from core.models import LibraryEntry, OrgControl
from core.questionnaires import LibraryImportError
from core.questionnaires.library import import_library
from knowledge.catalogue import Catalogue

HEADER = "id,title,requirements,owner,cadence,applicable,justification\n"
GOOD_ROW = "AC-01,Quarterly access review,A.5.18,U0X,quarterly,yes,\n"
LIBRARY_HEADER = "question,answer,sources\n"
runner = CliRunner()


def _register(tmp_path: Path, name: str, text: str | bytes, catalogue: Catalogue) -> None:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    load_register(path, catalogue=catalogue)


def _one_line(problems: list[str]) -> str:
    assert len(problems) == 1 and "\n" not in problems[0], problems
    return problems[0]


def test_a_csv_field_over_the_csv_limit_names_its_line(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    huge = "x" * (csv.field_size_limit() + 10)
    text = HEADER + GOOD_ROW + f'AC-02,"{huge}",A.5.1,U0X,annual,yes,\n'
    with pytest.raises(RegisterImportError) as info:
        _register(tmp_path, "r.csv", text, catalogue)
    message = _one_line(info.value.problems)
    assert message.startswith("r.csv line 3: not valid CSV") and "field larger" in message


def test_yaml_nested_thousands_deep_names_its_line(tmp_path: Path, catalogue: Catalogue) -> None:
    text = "controls:\n  - id: AC-01\n    title: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(RegisterImportError) as info:
        _register(tmp_path, "r.yaml", text, catalogue)
    message = _one_line(info.value.problems)
    assert message.startswith("r.yaml line 3: nested more than") and str(MAX_YAML_DEPTH) in message


def test_a_nul_byte_in_a_register_is_refused_on_both_databases(
    tmp_path: Path, database_url: str, catalogue: Catalogue
) -> None:
    text = HEADER + GOOD_ROW + "AC-02,Back\x00ups,A.5.1,U0X,annual,yes,\n"
    with pytest.raises(RegisterImportError) as info:
        _register(tmp_path, "r.csv", text, catalogue)
    assert _one_line(info.value.problems).startswith("r.csv line 3: contains a NUL character")
    # Nothing was stored on either database (SQLite would have kept the NUL silently).
    with Database(database_url).session_scope() as session:
        assert session.scalar(select(func.count()).select_from(OrgControl)) == 0


def test_a_nul_byte_in_the_library_is_refused_on_both_databases(
    database_url: str, catalogue: Catalogue
) -> None:
    content = (LIBRARY_HEADER + "Do you encrypt?,Yes\x00 always,\n").encode()
    db = Database(database_url)
    with pytest.raises(LibraryImportError) as info, db.session_scope() as session:
        import_library("l.csv", content, db_session=session, catalogue=catalogue, actor="t")
    assert _one_line(info.value.problems).startswith("l.csv line 2: contains a NUL character")
    with db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(LibraryEntry)) == 0


def test_a_library_too_big_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    row = "Do you encrypt data at rest and in transit across every system?,Yes always,\n"
    with path.open("w") as out:
        out.write(LIBRARY_HEADER)
        out.write(row * (MAX_IMPORT_BYTES // len(row) + 10))
    tracemalloc.start()
    result = runner.invoke(
        app,
        ["library", "import", str(path)],
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.exit_code == 1
    assert "big.csv is 10.0 MB; imports are limited to 10 MB" in result.output
    assert peak < MAX_IMPORT_BYTES  # refused from its size: the file was never read into memory


def test_a_library_with_too_many_rows_is_refused(database_url: str, catalogue: Catalogue) -> None:
    rows = "".join(f"Question {n}?,Answer,\n" for n in range(MAX_IMPORT_ROWS + 1))
    with pytest.raises(LibraryImportError) as info, Database(database_url).session_scope() as s:
        import_library(
            "l.csv", (LIBRARY_HEADER + rows).encode(), db_session=s, catalogue=catalogue, actor="t"
        )
    assert "l.csv has 20,001 rows; imports are limited to 20,000" in _one_line(info.value.problems)


def test_a_register_too_big_is_refused_before_it_is_read(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    path = tmp_path / "big.csv"
    with path.open("w") as out:
        out.write(HEADER)
        for n in range(MAX_IMPORT_BYTES // len(GOOD_ROW) + 10):
            out.write(GOOD_ROW.replace("AC-01", f"AC-{n}"))
    tracemalloc.start()
    with pytest.raises(RegisterImportError) as info:
        load_register(path, catalogue=catalogue)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "big.csv is " in _one_line(info.value.problems)
    assert peak < 1024 * 1024


def test_a_clean_register_still_imports(
    tmp_path: Path, database_url: str, catalogue: Catalogue
) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + GOOD_ROW)
    rows = load_register(path, catalogue=catalogue)
    with Database(database_url).session_scope() as session:
        import_rows(rows, db_session=session, actor="t", resolve_user=lambda _e: None)
    assert [r.ref for r in rows] == ["AC-01"]
