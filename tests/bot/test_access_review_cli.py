"""`compliance-bot access-review` and `people import` from the shell, bad input included."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from core.access_reviews.people import remember_slack
from core.db import Database
from tests.core.access_reviews.support import GITHUB_CSV, SLACK
from tests.core.evidence.support import cli_env

runner = CliRunner()


def _env(database_url: str, shared_index_dir: Path) -> dict[str, str]:
    return {**cli_env(database_url, shared_index_dir), "SECURITY_TEAM": "USEC1"}


def test_people_import_then_account_import_start_status_close(
    database_url: str, shared_index_dir: Path, tmp_path: Path
) -> None:
    env = _env(database_url, shared_index_dir)
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    with Database(database_url).session_scope() as session:
        remember_slack(SLACK, db_session=session)
    people = tmp_path / "people.csv"
    people.write_text("email,manager_email,department\nalice@example.com,carol@example.com,eng\n")
    done = runner.invoke(app, ["people", "import", str(people)], env=env)
    assert done.exit_code == 0 and "0 new, 1 updated; 1 linked" in done.output, done.output
    export = tmp_path / "github.csv"
    export.write_bytes(GITHUB_CSV)
    imported = runner.invoke(
        app,
        ["access-review", "import", "github", str(export), "--owner", "olga@example.com", "--json"],
        env=env,
    )
    assert imported.exit_code == 0, imported.output
    result = json.loads(imported.output)
    assert result["accounts"] == 7 and result["unknown_owner"] == ["ghost", "svc-deploy"]
    due = (date.today() + timedelta(days=10)).isoformat()
    started = runner.invoke(
        app,
        [
            "access-review",
            "start",
            "--systems",
            "github",
            "--reviewer",
            "owner",
            "--due",
            due,
            "--json",
        ],
        env=env,
    )
    assert started.exit_code == 0, started.output
    st = json.loads(started.output)
    assert st["items"] == 7 and st["undecided"] == 7 and st["status"] == "active"
    status = runner.invoke(app, ["access-review", "status", str(st["id"]), "--json"], env=env)
    assert json.loads(status.output)["reviewers"] == [
        {"reviewer": "UOLGA", "undecided": 6},
        {"reviewer": "USEC1", "undecided": 1},  # olga's own account: no manager known
    ]
    with Database(database_url).session_scope() as session:
        from sqlalchemy import select

        from core.access_reviews.models import AccessAccount, AccessReviewItem

        items = dict(
            session.execute(
                select(AccessAccount.account_id, AccessReviewItem.id).join(
                    AccessReviewItem, AccessReviewItem.account_id == AccessAccount.id
                )
            ).all()
        )
    own = runner.invoke(
        app, ["access-review", "reassign", str(items["alice-gh"]), "--to", "UALICE"], env=env
    )
    assert own.exit_code == 1 and "Nobody decides on their own account" in own.output
    moved = runner.invoke(
        app, ["access-review", "reassign", str(items["alice-gh"]), "--to", "UCAROL"], env=env
    )
    assert moved.exit_code == 0, moved.output
    status = runner.invoke(app, ["access-review", "status", str(st["id"]), "--json"], env=env)
    assert {"reviewer": "UCAROL", "undecided": 1} in json.loads(status.output)["reviewers"]
    closing = runner.invoke(app, ["access-review", "close", str(st["id"])], env=env)
    assert closing.exit_code == 1 and "7 account(s) are not decided yet" in closing.output
    listed = runner.invoke(app, ["access-review", "list", "--json"], env=env)
    assert [r["id"] for r in json.loads(listed.output)] == [st["id"]]


def test_cli_refusals_are_one_line(
    database_url: str, shared_index_dir: Path, tmp_path: Path
) -> None:
    env = _env(database_url, shared_index_dir)
    bad = tmp_path / "users.csv"
    bad.write_text("Login Name,Seat\nann,1\n")
    no_column = runner.invoke(app, ["access-review", "import", "vpn", str(bad)], env=env)
    assert no_column.exit_code == 1
    assert "Headers found: 'Login Name', 'Seat'" in no_column.output and "--map" in no_column.output
    mapped = runner.invoke(
        app, ["access-review", "import", "vpn", str(bad), "--map", "account_id=Login Name"], env=env
    )
    assert mapped.exit_code == 0, mapped.output
    missing = runner.invoke(
        app, ["access-review", "import", "vpn", str(tmp_path / "nope.csv")], env=env
    )
    assert missing.exit_code == 2 and "is not a file" in missing.output
    past = runner.invoke(
        app,
        [
            "access-review",
            "start",
            "--systems",
            "vpn",
            "--reviewer",
            "owner",
            "--due",
            "2020-01-01",
        ],
        env=env,
    )
    assert past.exit_code == 1 and "The due date 2020-01-01 is not in the future" in past.output
    due = (date.today() + timedelta(days=10)).isoformat()
    ownerless = runner.invoke(
        app,
        ["access-review", "start", "--systems", "vpn", "--reviewer", "owner", "--due", due],
        env=env,
    )
    assert ownerless.exit_code == 1 and "vpn has no owner known in Slack" in ownerless.output
    bad_day = runner.invoke(
        app,
        ["access-review", "start", "--systems", "vpn", "--reviewer", "owner", "--due", "soon"],
        env=env,
    )
    assert bad_day.exit_code == 2 and "--due 'soon' is not a date" in bad_day.output
    unknown = runner.invoke(app, ["access-review", "status", "99"], env=env)
    assert unknown.exit_code == 1 and "There is no access review 99" in unknown.output


def test_every_access_review_command_has_help() -> None:
    for command in (
        "import",
        "pull",
        "mapping",
        "start",
        "status",
        "list",
        "remind",
        "close",
        "removed",
        "exception",
        "reassign",
    ):
        result = runner.invoke(app, ["access-review", command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, command
    assert runner.invoke(app, ["people", "import", "--help"]).exit_code == 0
