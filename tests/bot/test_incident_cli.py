"""`compliance-bot incident list|show [--json]` against the database, and the unknown-ID refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.db import Database
from core.incidents.service import Report, report
from core.incidents.triage import Change, Clocks, apply

runner = CliRunner()


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    return {"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "", "KNOWLEDGE_DIR": ""}


def _seed(database_url: str) -> None:
    with Database(database_url).session_scope() as session:
        first = report(Report(reporter="UALICE", description="Laptop stolen"), db_session=session)
        report(Report(reporter="UBOB", description="API down for six hours"), db_session=session)
        apply(
            first.id,
            Change(kind="incident", severity="high", handler="USEC1", status="triaged"),
            db_session=session,
            actor="USEC1",
            clocks=Clocks(72, 14),
        )


def test_list_and_show_print_what_the_database_holds(
    env: dict[str, str], database_url: str
) -> None:
    assert "No incidents" in runner.invoke(app, ["incident", "list"], env=env).output
    _seed(database_url)
    listed = runner.invoke(app, ["incident", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == ["INC-2", "INC-1"]
    assert rows[1]["status"] == "triaged" and rows[1]["severity"] == "high"
    assert rows[1]["ledger_seq"] == 1
    shown = runner.invoke(app, ["incident", "show", "INC-1", "--json"], env=env)
    data = json.loads(shown.stdout)
    assert data["id"] == "INC-1" and data["handler"] == "USEC1" and data["review"] is None
    assert data["timeline"] == [] and data["actions"] == []
    table = runner.invoke(app, ["incident", "show", "1"], env=env)
    assert table.exit_code == 0 and "Laptop stolen" in table.output


def test_an_unknown_id_is_one_error_line(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["incident", "show", "INC-404"], env=env)
    assert result.exit_code == 1
    assert "There is no incident INC-404" in result.output
