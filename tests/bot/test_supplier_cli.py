"""`compliance-bot supplier import|list|show` under a frozen clock."""

from __future__ import annotations

import json
from pathlib import Path

import time_machine
from typer.testing import CliRunner

from bot.cli import app
from tests.core.evidence.support import cli_env
from tests.core.suppliers.support import EXAMPLE_SUPPLIERS

runner = CliRunner()


@time_machine.travel("2027-03-15 10:00:00+00:00", tick=False)
def test_supplier_import_list_show(
    tmp_path: Path, database_url: str, shared_index_dir: Path, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    fake_slack.add_user("UALICE", email="alice@example.com")
    fake_slack.add_user("UBOB", email="bob@example.com")
    fake_slack.add_user("U0OPSLEAD")
    env = {
        **cli_env(database_url, shared_index_dir),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake_slack.url,
    }
    result = runner.invoke(app, ["supplier", "import", str(EXAMPLE_SUPPLIERS)], env=env)
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    rows = {
        r["id"]: r
        for r in json.loads(runner.invoke(app, ["supplier", "list", "--json"], env=env).output)
    }
    assert rows["SUP-PAYROLL"]["assurance_status"] == "expiring"
    assert rows["SUP-AWS"]["assurance_status"] == "current"
    assert rows["SUP-SURVEY"]["assurance_status"] == "none"
    shown = runner.invoke(app, ["supplier", "show", "SUP-PAYROLL"], env=env)
    assert "assurance: iso27001, expires 2027-03-31 (expiring)" in shown.output
    stale = tmp_path / "s.csv"
    stale.write_text(
        EXAMPLE_SUPPLIERS.read_text().splitlines()[0]
        + "\nSUP-X,X,UBOB,,,low,soc2,2027-03-14,annual\n"
    )
    refused = runner.invoke(app, ["supplier", "import", str(stale)], env=env)
    assert refused.exit_code == 1
    assert "line 2 (SUP-X): assurance_expires 2027-03-14 is in the past" in refused.output
