"""The evidence side of the CLI: `evidence verify`, `export` (and `export soa`), `register`."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bot.cli import app
from core.config import Settings
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import EXAMPLE, cli_env, filled_database

runner = CliRunner()


def test_evidence_verify_cli_passes_then_names_the_edited_record(
    database_url: str, catalogue: Catalogue, settings: Settings, shared_index_dir: Path
) -> None:
    filled = filled_database(database_url, catalogue, settings)
    env = cli_env(database_url, shared_index_dir)
    ok = runner.invoke(app, ["evidence", "verify"], env=env)
    assert ok.exit_code == 0 and "ledger OK" in ok.output
    with filled.engine.begin() as conn:
        conn.execute(
            text("UPDATE ledger SET payload = replace(payload, 'UALICE', 'UMALLORY') WHERE seq = 6")
        )
    bad = runner.invoke(app, ["evidence", "verify"], env=env)
    assert bad.exit_code == 1 and "record 6 (evidence_submitted) was altered" in bad.output


def test_evidence_verify_cli_names_a_deleted_record(
    database_url: str, catalogue: Catalogue, settings: Settings, shared_index_dir: Path
) -> None:
    filled = filled_database(database_url, catalogue, settings)
    with filled.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger WHERE seq = 2"))
    bad = runner.invoke(app, ["evidence", "verify"], env=cli_env(database_url, shared_index_dir))
    assert bad.exit_code == 1 and "record 2 is missing" in bad.output


def test_export_and_soa_cli(
    database_url: str,
    catalogue: Catalogue,
    settings: Settings,
    shared_index_dir: Path,
    tmp_path: Path,
) -> None:
    filled_database(database_url, catalogue, settings)
    env = cli_env(database_url, shared_index_dir)
    result = runner.invoke(
        app, ["export", "--out", str(tmp_path / "a.zip"), "--framework", "iso27001"], env=env
    )
    assert result.exit_code == 0, result.output
    assert zipfile.ZipFile(tmp_path / "a.zip").read("manifest.json")
    soa = runner.invoke(app, ["export", "soa", "--out", str(tmp_path / "soa.csv")], env=env)
    assert soa.exit_code == 0 and len((tmp_path / "soa.csv").read_text().splitlines()) == 94
    empty = runner.invoke(
        app,
        ["export", "--out", str(tmp_path / "b.zip"), "--from", "2001-01-01", "--to", "2001-02-01"],
        env=env,
    )
    assert empty.exit_code == 1 and "nothing exported" in empty.output
    allowed = runner.invoke(
        app,
        ["export", "--out", str(tmp_path / "b.zip"), "--from", "2001-01-01", "--to", "2001-02-01"]
        + ["--allow-empty"],
        env=env,
    )
    assert allowed.exit_code == 0, allowed.output
    checked = runner.invoke(app, ["evidence", "verify", "--export", str(tmp_path / "b.zip")])
    assert checked.exit_code == 0 and "VERIFIED: every check passed." in checked.output
    bad = runner.invoke(
        app, ["export", "--out", str(tmp_path / "c.zip"), "--from", "yesterday"], env=env
    )
    assert bad.exit_code == 2 and "'yesterday' is not a date" in bad.output


def test_register_cli_import_errors_name_lines(
    database_url: str, shared_index_dir: Path, tmp_path: Path
) -> None:
    env = cli_env(database_url, shared_index_dir)
    ok = runner.invoke(app, ["register", "import", str(EXAMPLE)], env=env)
    assert ok.exit_code == 0 and "5 created" in ok.output
    listed = runner.invoke(app, ["register", "list", "--json"], env=env)
    assert {r["id"] for r in json.loads(listed.output)} == {
        "AC-01",
        "AC-02",
        "HR-01",
        "OPS-01",
        "PH-01",
    }
    shown = runner.invoke(app, ["register", "show", "ac-01"], env=env)
    assert "implements: A.5.18, CC6.2, CC6.3" in shown.output
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,requirements,owner,cadence\nZ-1,Z,A.5.999,x@example.com,monthly\n")
    failed = runner.invoke(app, ["register", "import", str(bad)], env=env)
    assert (
        failed.exit_code == 1
        and "line 2 (Z-1): requirement 'A.5.999' is not a catalogue ID" in failed.output
    )


def test_register_show_lists_versions_and_evidence_requests(
    database_url: str, catalogue: Catalogue, settings: Settings, shared_index_dir: Path
) -> None:
    filled_database(database_url, catalogue, settings)
    env = cli_env(database_url, shared_index_dir)
    shown = runner.invoke(app, ["register", "show", "AC-01"], env=env)
    assert shown.exit_code == 0, shown.output
    assert re.search(r"history: v1 \d{4}-\d\d-\d\d \d\d:\d\d UTC by t\n", shown.output)
    assert re.search(r"evidence \S+: accepted, due \d{4}-\d\d-\d\d", shown.output)
    missing = runner.invoke(app, ["register", "show", "AC-99"], env=env)
    assert missing.exit_code == 1 and "no control 'AC-99' in the register" in missing.output


def test_a_read_only_database_refuses_writes(database_url: str) -> None:
    from sqlalchemy.exc import DBAPIError

    from core.db import Database

    with pytest.raises(DBAPIError), Database(database_url, read_only=True).session_scope() as s:
        s.execute(
            text(
                "INSERT INTO processed_requests (key, received_at, attempts, state) "
                "VALUES ('k', CURRENT_TIMESTAMP, 1, 'done')"
            )
        )
