"""The answer library: imports all-or-nothing with line numbers, history and ledger, export, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from core import ledger
from core.db import Database
from core.models import LedgerRecord, LibraryEntry
from core.questionnaires import LibraryImportError
from core.questionnaires.library import export, history, import_library
from knowledge.catalogue import Catalogue
from tests.fakes import FakeEmbedder
from tests.questionnaire_support import (
    LIBRARY,
    POLICIES,
    REGISTER,
    import_register,
    policy_catalogue,
    xlsx,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return policy_catalogue()


@pytest.fixture
def db(database_url: str, cat: Catalogue) -> Database:
    db = Database(database_url)
    import_register(db, cat)
    return db


def _import(db: Database, cat: Catalogue, name: str, content: bytes, actor: str = "USEC1"):  # type: ignore[no-untyped-def]
    with db.session_scope() as session:
        return import_library(name, content, db_session=session, catalogue=cat, actor=actor)


def test_the_example_library_imports_with_typed_sources_and_a_ledger_record_each(
    db: Database, cat: Catalogue
) -> None:
    result = _import(db, cat, "library.csv", LIBRARY.read_bytes())
    assert len(result.created) == 12
    with db.session_scope() as session:
        hosted = session.scalars(
            select(LibraryEntry).where(LibraryEntry.question == "Where is customer data hosted?")
        ).one()
        assert hosted.sources == [
            {"id": "A.7.1", "kind": "catalogue"},
            {"id": "PH-01", "kind": "control"},
        ]
        assert hosted.approved_by == "USEC1" and hosted.version == 1
        kinds = [r.kind for r in session.scalars(select(LedgerRecord).order_by(LedgerRecord.seq))]
        assert kinds.count("library_approved") == 12
        assert ledger.verify(db_session=session).ok


def test_xlsx_import_and_a_changed_answer_keeps_history_and_is_a_ledger_change(
    db: Database, cat: Catalogue
) -> None:
    first = xlsx(
        [
            ["Question", "Answer", "Sources"],
            ["Do you use MFA?", "Yes, everywhere.", "A.8.5; org.access-control (policy)"],
        ],
        extra=False,
    )
    assert _import(db, cat, "lib.xlsx", first).created == ["Do you use MFA?"]
    assert _import(db, cat, "lib.xlsx", first).unchanged == ["Do you use MFA?"]
    second = xlsx(
        [["question", "answer"], ["do you use MFA", "Yes, for every account."]], extra=False
    )
    assert _import(db, cat, "lib.xlsx", second, actor="USEC2").updated == ["do you use MFA"]
    with db.session_scope() as session:
        entry = session.scalars(select(LibraryEntry)).one()
        assert (entry.answer, entry.version, entry.approved_by, entry.sources) == (
            "Yes, for every account.",
            2,
            "USEC2",
            [],
        )
        assert [
            (v.version, v.answer, v.changed_by) for v in history(entry.id, db_session=session)
        ] == [
            (1, "Yes, everywhere.", "USEC1"),
            (2, "Yes, for every account.", "USEC2"),
        ]
        last = session.scalars(select(LedgerRecord).order_by(LedgerRecord.seq.desc())).first()
        assert last is not None and last.kind == "library_changed"
        assert json.loads(last.payload)["version"] == 2


def test_bad_rows_import_nothing_and_name_their_lines(db: Database, cat: Catalogue) -> None:
    content = (
        "question,answer,sources\n"
        "Do you use MFA?,Yes.,A.8.5\n"
        ",An answer without a question,\n"
        "Do you test backups?,,\n"
        "Do you use MFA,Twice.,\n"
        "Do you log?,Yes.,A.99.9\n"
        'Are laptops encrypted?,"Yes,\nwith FileVault.",NOPE-1\n'
        "Do you train staff?,Yes.,HR-01\n"
    )
    with pytest.raises(LibraryImportError) as caught:
        _import(db, cat, "lib.csv", content.encode())
    assert caught.value.problems == [
        "line 3: question is empty",
        "line 4: answer is empty",
        "line 5: the question repeats line 2",
        "line 6: source 'A.99.9' is not a register control, policy or catalogue ID (import the register first if it is a control)",
        "line 7: source 'NOPE-1' is not a register control, policy or catalogue ID (import the register first if it is a control)",
    ]
    with db.session_scope() as session:
        assert session.scalars(select(LibraryEntry)).first() is None


@pytest.mark.parametrize(
    "content,problem",
    [
        (b"", "is empty"),
        (b"q,a\nx,y\n", "line 1: missing column(s) question, answer; unknown column(s) q, a"),
        (b"question,answer\n", "holds no questions"),
    ],
)
def test_unusable_library_files_are_refused(
    db: Database, cat: Catalogue, content: bytes, problem: str
) -> None:
    with pytest.raises(LibraryImportError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        _import(db, cat, "lib.csv", content)


def test_export_neutralises_formulas_and_imports_again_unchanged(
    db: Database, cat: Catalogue, tmp_path: Path
) -> None:
    _import(
        db,
        cat,
        "lib.csv",
        b'question,answer,sources\n"=1+1 is asked?","-rw permissions only, @all reviewed",AC-01\n',
    )
    with db.session_scope() as session:
        csv_out = export("library.csv", db_session=session)
        xlsx_out = export("library.xlsx", db_session=session)
    text = csv_out.decode()
    assert text.splitlines()[0] == "question,answer,sources,approved_by,approved_at,version"
    assert text.splitlines()[1].startswith(
        "'=1+1 is asked?,\"'-rw permissions only, @all reviewed\",AC-01 (control),USEC1,"
    )
    assert _import(db, cat, "library.csv", csv_out).unchanged == ["=1+1 is asked?"]
    assert _import(db, cat, "library.xlsx", xlsx_out).unchanged == ["=1+1 is asked?"]


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    # The runtime asks for EMBEDDING_MODEL's model; any model name gets the fake here.
    monkeypatch.setattr("bot.runtime.get_embedder", lambda *_, **__: FakeEmbedder())
    for var in ("SLACK_BOT_TOKEN", "KNOWLEDGE_DIR", "INDEX_DIR"):
        monkeypatch.delenv(var, raising=False)
    return {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "",
        "KNOWLEDGE_DIR": str(POLICIES),
        "INDEX_DIR": str(tmp_path / "index"),
    }


def test_cli_library_import_list_and_export(env: dict[str, str], tmp_path: Path) -> None:
    assert runner.invoke(app, ["register", "import", str(REGISTER)], env=env).exit_code == 0
    result = runner.invoke(app, ["library", "import", str(LIBRARY)], env=env)
    assert result.exit_code == 0, result.output
    assert "library imported: 12 created, 0 updated, 0 unchanged" in result.output
    listed = runner.invoke(app, ["library", "list", "--json"], env=env)
    rows = json.loads(listed.stdout)
    assert len(rows) == 12
    assert set(rows[0]) == {
        "id",
        "question",
        "answer",
        "sources",
        "approved_by",
        "approved_at",
        "version",
    }
    assert rows[0]["approved_by"] == "cli"
    out = tmp_path / "export.xlsx"
    exported = runner.invoke(app, ["library", "export", "--out", str(out)], env=env)
    assert exported.exit_code == 0 and "12 answers" in exported.output and out.stat().st_size > 0
    bad = runner.invoke(app, ["library", "export", "--out", str(tmp_path / "x.pdf")], env=env)
    assert bad.exit_code == 2 and "send a .xlsx or .csv file" in bad.output


def test_cli_library_import_with_bad_rows_exits_1_with_line_numbers(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "lib.csv"
    path.write_text("question,answer\nDo you use MFA?,\n")
    result = runner.invoke(app, ["library", "import", str(path)], env=env)
    assert result.exit_code == 1
    assert (
        "library not imported, nothing changed" in result.output
        and "line 2: answer is empty" in result.output
    )


def test_cli_questionnaire_answer_writes_the_file_and_prints_the_documented_json(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert runner.invoke(app, ["register", "import", str(REGISTER)], env=env).exit_code == 0
    assert runner.invoke(app, ["library", "import", str(LIBRARY)], env=env).exit_code == 0
    path = tmp_path / "acme.csv"
    path.write_text(
        "Ref,Question\n1,Do you have a SOC 2 report?\n2,Describe your incident response process.\n"
    )
    result = runner.invoke(app, ["questionnaire", "answer", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "2 questions: 1 approved, 1 suggested, 0 need review" in result.output
    written = (tmp_path / "acme-answered.csv").read_text(encoding="utf-8")
    assert written.splitlines()[0] == "Ref,Question,Answer,Status,Confidence,Sources"
    as_json = runner.invoke(app, ["questionnaire", "answer", str(path), "--json"], env=env)
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["row"] for r in rows] == [2, 3] and [r["id"] for r in rows] == ["1", "2"]
    for row in rows:
        assert set(row) == {
            *("sheet", "row", "id", "question", "answer", "choice", "suggestion"),
            *("status", "confidence", "sources"),
        }
        assert row["sheet"] == ""
        assert all(set(s) == {"id", "kind"} for s in row["sources"])
    assert rows[0]["status"] == "approved" and rows[1]["sources"][0] == {
        "id": "org.incident-response",
        "kind": "policy",
    }


def test_cli_questionnaire_answer_refusals(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("Topic,Text\nAccess,Is MFA on?\n")
    result = runner.invoke(app, ["questionnaire", "answer", str(path)], env=env)
    assert result.exit_code == 1 and "Headers found: 'Topic', 'Text'" in result.output
    chosen = runner.invoke(
        app, ["questionnaire", "answer", str(path), "--column", "Text", "--json"], env=env
    )
    assert (
        chosen.exit_code == 0
        and json.loads(chosen.stdout.splitlines()[0])["question"] == "Is MFA on?"
    )
    wrong = runner.invoke(
        app, ["questionnaire", "answer", str(path), "--out", str(tmp_path / "q.xlsx")], env=env
    )
    assert wrong.exit_code == 2 and "--out must be a .csv file" in wrong.output
    missing = runner.invoke(app, ["questionnaire", "answer", str(tmp_path / "nope.xlsx")], env=env)
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_cli_sheet_chooses_sheets_prints_the_columns_used_and_json_carries_sheet_and_id(
    env: dict[str, str], tmp_path: Path
) -> None:
    from tests.core.questionnaires.test_questionnaire_workbook import customer_workbook

    path = tmp_path / "vendor.xlsx"
    path.write_bytes(customer_workbook())
    result = runner.invoke(
        app, ["questionnaire", "answer", str(path), "--sheet", "Operations", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["sheet"], r["row"], r["id"]) for r in rows] == [
        ("Operations", 3, "OPS-1"),
        ("Operations", 4, "OPS-2"),
    ]
    assert rows[1]["status"] == "needs_review" and rows[1]["choice"] is None
    assert "Used sheet 'Operations': header row 1, ID A 'Ref'" in result.stderr
    written = runner.invoke(app, ["questionnaire", "answer", str(path)], env=env)
    assert written.exit_code == 0 and "Used sheet 'Governance'" in written.stderr
    assert (tmp_path / "vendor-answered.xlsx").is_file()
    unknown = runner.invoke(
        app, ["questionnaire", "answer", str(path), "--sheet", "Privacy"], env=env
    )
    assert unknown.exit_code == 1 and "has no sheet named 'Privacy'" in unknown.output
