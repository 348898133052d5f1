"""`compliance-bot readiness`: the table, the exact --json shape, and its refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.paths import EXAMPLES

runner = CliRunner()
EXAMPLE = EXAMPLES / "register.csv"
STATUSES = {"gap", "no_evidence", "submitted", "current", "overdue", "not_applicable"}


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    for var in ("SOC2_CATEGORIES", "SLACK_BOT_TOKEN", "KNOWLEDGE_DIR"):
        monkeypatch.delenv(var, raising=False)
    return {"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "", "KNOWLEDGE_DIR": ""}


def test_an_empty_register_points_at_register_import(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["readiness"], env=env)
    assert result.exit_code == 1
    assert "register is empty" in result.output
    assert "compliance-bot register import" in result.output


def test_json_is_one_object_of_the_documented_shape(env: dict[str, str]) -> None:
    assert runner.invoke(app, ["register", "import", str(EXAMPLE)], env=env).exit_code == 0
    result = runner.invoke(
        app, ["readiness", "--json"], env={**env, "SOC2_CATEGORIES": "security,availability"}
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"generated_at", "frameworks", "requirements"}
    assert [f["framework"] for f in data["frameworks"]] == ["iso27001", "soc2"]
    for framework in data["frameworks"]:
        assert set(framework) == {"framework", "in_scope", "counts", "ready", "groups"}
        assert set(framework["counts"]) == STATUSES
        assert sum(framework["counts"].values()) == framework["in_scope"]
        for group in framework["groups"]:
            assert set(group) == {"id", "title", "counts", "ready"}
    iso, soc2 = data["frameworks"]
    assert iso["in_scope"] == 123 and iso["counts"]["not_applicable"] == 2  # PH-01's A.7.1, A.7.2
    assert soc2["counts"]["not_applicable"] == 61 - 33 - 3  # confidentiality, PI, privacy
    keys = {"id", "framework", "title", "status", "controls", "owners", "last_accepted", "due_at"}
    assert all(set(r) == keys for r in data["requirements"])
    backups = next(r for r in data["requirements"] if r["id"] == "A1.2")
    assert backups["controls"] == ["OPS-01"] and backups["owners"] == ["U0OPSLEAD"]
    assert backups["status"] == "no_evidence" and backups["due_at"] is not None


def test_one_framework_as_a_table_with_a_bar_per_group(env: dict[str, str]) -> None:
    assert runner.invoke(app, ["register", "import", str(EXAMPLE)], env=env).exit_code == 0
    result = runner.invoke(app, ["readiness", "--framework", "soc2"], env=env)
    assert result.exit_code == 0, result.output
    assert "SOC 2: 0% ready (0 of 33 applicable requirements current)" in result.output
    assert "ISO 27001" not in result.output
    assert "CC6" in result.output and "░░░░░░░░░░" in result.output
    assert "Most urgent" in result.output and "CC1.1" in result.output


def test_an_unknown_framework_is_refused(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["readiness", "--framework", "pci"], env=env)
    assert result.exit_code == 2 and "--framework must be iso27001 or soc2" in result.output


def test_readiness_has_help() -> None:
    result = runner.invoke(app, ["readiness", "--help"])
    assert result.exit_code == 0 and "--framework" in result.output and "--json" in result.output
