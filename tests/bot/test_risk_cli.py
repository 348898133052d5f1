"""`compliance-bot risk import|list|show`, owners looked up in the (fake) Slack workspace."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from core.db import Database
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import cli_env, import_example_register
from tests.core.risks.support import EXAMPLE_RISKS

runner = CliRunner()


def _env(database_url: str, shared_index_dir: Path, fake_slack) -> dict[str, str]:  # type: ignore[no-untyped-def]
    fake_slack.add_user("UALICE", email="alice@example.com")
    fake_slack.add_user("UBOB", email="bob@example.com")
    fake_slack.add_user("U0OPSLEAD")
    return {
        **cli_env(database_url, shared_index_dir),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake_slack.url,
    }


def test_risk_import_list_show(
    database_url: str, catalogue: Catalogue, shared_index_dir: Path, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    import_example_register(Database(database_url), catalogue)
    env = _env(database_url, shared_index_dir, fake_slack)
    result = runner.invoke(app, ["risk", "import", str(EXAMPLE_RISKS)], env=env)
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged" in result.output
    listed = runner.invoke(app, ["risk", "list", "--json"], env=env)
    rows = {r["id"]: r for r in json.loads(listed.output)}
    assert rows["R-03"]["score"] == 16 and rows["R-03"]["level"] == "high"
    assert rows["R-03"]["residual_score"] == 6 and rows["R-03"]["residual_level"] == "medium"
    assert rows["R-01"]["owner_user_id"] == "UALICE"
    assert rows["R-01"]["controls"] == ["AC-02", "A.8.1"]
    shown = runner.invoke(app, ["risk", "show", "r-03"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "likelihood 4 x impact 4 = 16 (high)" in shown.output
    assert "plan: 2027-01-31 Phishing-resistant MFA for admins [open]" in shown.output
    assert "history: v1" in shown.output and "import by cli" in shown.output


def test_risk_import_refuses_an_owner_not_in_slack_and_unknown_ids(
    tmp_path: Path, database_url: str, catalogue: Catalogue, shared_index_dir: Path, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    env = _env(database_url, shared_index_dir, fake_slack)
    path = tmp_path / "r.csv"
    path.write_text(
        "id,title,owner,likelihood,impact,treatment,review_cadence\n"
        "R-1,x,UGONE,2,2,mitigate,annual\nR-2,y,UBOB,2,2,mitigate,annual\n"
    )
    result = runner.invoke(app, ["risk", "import", str(path)], env=env)
    assert result.exit_code == 1
    assert "line 2 (R-1): owner 'UGONE' is not a member of this Slack workspace" in result.output
    listed = runner.invoke(app, ["risk", "list", "--json"], env=env)
    assert json.loads(listed.output) == []
    missing = runner.invoke(app, ["risk", "show", "R-9"], env=env)
    assert missing.exit_code == 1 and "no risk 'R-9'" in missing.output


def test_without_a_slack_token_email_owners_are_refused_and_user_ids_stand(
    tmp_path: Path, database_url: str, shared_index_dir: Path
) -> None:
    env = cli_env(database_url, shared_index_dir)  # no SLACK_BOT_TOKEN: nothing can be looked up
    path = tmp_path / "r.csv"
    path.write_text(
        "id,title,owner,likelihood,impact,treatment,review_cadence\n"
        "R-1,x,alice@example.com,2,2,mitigate,annual\nR-2,y,UBOB,2,2,mitigate,annual\n"
    )
    refused = runner.invoke(app, ["risk", "import", str(path)], env=env)
    assert refused.exit_code == 2
    assert "owners given by email (alice@example.com) are looked up in Slack" in refused.output
    assert "SLACK_BOT_TOKEN" in refused.output
    assert json.loads(runner.invoke(app, ["risk", "list", "--json"], env=env).output) == []
    path.write_text(
        "id,title,owner,likelihood,impact,treatment,review_cadence\nR-2,y,UBOB,2,2,mitigate,annual\n"
    )
    done = runner.invoke(app, ["risk", "import", str(path)], env=env)
    assert done.exit_code == 0, done.output
    listed = json.loads(runner.invoke(app, ["risk", "list", "--json"], env=env).output)
    assert [(r["id"], r["owner_user_id"]) for r in listed] == [("R-2", "UBOB")]
