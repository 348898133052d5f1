"""The `compliance-bot` command: help everywhere, one-line config errors, ask, chat and catalogue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.paths import EXAMPLES

runner = CliRunner()


@pytest.fixture
def cli_env(
    tmp_path: Path, shared_index_dir: Path, real_searcher, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Environment for a CLI run: private SQLite file, the session's index cache."""
    monkeypatch.chdir(tmp_path)
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "INDEX_DIR": str(shared_index_dir),
        "SLACK_BOT_TOKEN": "",
        "KNOWLEDGE_DIR": "",
    }


def _script_env(cli_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SECURITY_"))}
    env.update({k: v for k, v in cli_env.items() if v})
    return env


COMMANDS = [
    [],
    ["db"],
    ["db", "upgrade"],
    ["chat"],
    ["ask"],
    ["catalogue"],
    ["catalogue", "validate"],
    ["catalogue", "list"],
    ["catalogue", "show"],
    ["catalogue", "crosswalk"],
    ["index", "build"],
    ["serve"],
    ["report", "questions"],
    ["register", "import"],
    ["register", "list"],
    ["register", "show"],
    ["evidence", "verify"],
    ["export"],
    ["export", "soa"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and "compliance-bot 0.1.0" in result.output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "not-a-url"}, "DATABASE_URL: expected a URL"),
        ({"TZ": "Nowhere/Land"}, "TZ: expected an IANA time zone"),
        ({"SECURITY_TEAM": "bob"}, "SECURITY_TEAM:"),
    ],
)
def test_bad_setting_is_one_line_and_exit_2(
    cli_env: dict[str, str], env: dict[str, str], message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env={**_script_env(cli_env), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line(cli_env: dict[str, str]) -> None:
    env = {"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 2
    assert "cannot prepare the database at DATABASE_URL" in result.output


def test_db_upgrade_reports_revision(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env=cli_env)
    assert result.exit_code == 0 and "database is at revision" in result.output


def test_piped_chat_answers_and_exits_cleanly(cli_env: dict[str, str]) -> None:
    result = subprocess.run(
        ["compliance-bot", "chat"],
        input="what does clause 7.2 require?\nexit\n",
        env=_script_env(cli_env),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "7.2 Competence" in result.stdout
    assert "Traceback" not in result.stderr
    # Libraries' debug chatter (bm25s logs at DEBUG on its own) stays out of the conversation.
    assert "DEBUG" not in result.stdout + result.stderr, result.stderr


def test_ask_reads_stdin_and_prints_one_json_line_per_question(cli_env: dict[str, str]) -> None:
    result = subprocess.run(
        ["compliance-bot", "ask", "--json"],
        input="A.7.2.2\nntp\n",
        env=_script_env(cli_env),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["query"] == "A.7.2.2" and first["results"][0]["id"] == "A.6.3"
    assert second["results"][0]["id"] == "A.8.17"
    for row in first["results"]:
        assert set(row) >= {"id", "framework", "kind", "title", "summary", "score"}
    assert isinstance(first["took_ms"], float) and "A.6.3" in first["answer"]


def test_ask_with_options(cli_env: dict[str, str]) -> None:
    result = runner.invoke(
        app, ["ask", "access reviews", "--json", "-k", "3", "--framework", "soc2"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert len(data["results"]) == 3 and all(r["framework"] == "soc2" for r in data["results"])


def test_ask_declines_what_is_not_ours_and_still_records_it(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["ask", "where do I park my car?", "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert set(data) == {"query", "took_ms", "confident", "answer", "results"}
    assert data["confident"] is False and data["results"] == []
    assert "I can help with ISO 27001" in data["answer"]
    report = runner.invoke(app, ["report", "questions"], env=cli_env)
    assert "Questions asked: 1" in report.output and "park my car" in report.output


def test_ask_empty_question_is_a_clear_error(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["ask", "   "], env=cli_env)
    assert result.exit_code == 1
    assert "the question is empty" in result.output


def test_ask_bad_framework_is_refused(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["ask", "x", "--framework", "pci"], env=cli_env)
    assert result.exit_code == 2 and "--framework must be iso27001 or soc2" in result.output


def test_catalogue_show_names_the_2022_successor(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["catalogue", "show", "A.7.2.2"], env=cli_env)
    assert result.exit_code == 0
    assert "became A.6.3" in result.output


def test_catalogue_show_unknown_id(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["catalogue", "show", "Z.1"], env=cli_env)
    assert result.exit_code == 1 and "no catalogue entry matches 'Z.1'" in result.output


def test_catalogue_crosswalk_lists_iso_controls_with_rationales(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["catalogue", "crosswalk", "CC6.1"], env=cli_env)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("CC6.1 ") and lines[1] == "  A.5.15 Access control [partial]"
    for shown in ("A.8.5 Secure authentication", "A.8.2 Privileged access rights"):
        at = next(n for n, line in enumerate(lines) if line.startswith(f"  {shown} ["))
        assert lines[at + 1].startswith("      ") and len(lines[at + 1].strip()) > 40
    assert "  A.5.17 Authentication information [partial]" in lines


def test_catalogue_list_json(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["catalogue", "list", "--framework", "soc2", "--json"], env=cli_env)
    rows = json.loads(result.output)
    assert len(rows) == 61 and {"id", "framework", "title"} <= set(rows[0])


def test_catalogue_validate_names_the_bad_file(cli_env: dict[str, str], tmp_path: Path) -> None:
    org = tmp_path / "org"
    org.mkdir()
    (org / "good.md").write_text("---\nid: org.ok\ntitle: OK\n---\nA fine policy. It loads.\n")
    (org / "bad.yaml").write_text("entries: [ {id: org.bad, title: Bad} ]\n")
    result = runner.invoke(app, ["catalogue", "validate", str(org)], env=cli_env)
    assert result.exit_code == 1
    assert "bad.yaml: org.bad: summary: missing field" in result.output
    assert "1 organisation entries loaded" in result.output


def test_report_questions_lists_asked_gaps_and_votes(cli_env: dict[str, str]) -> None:
    for question in ("ntp", "ntp", "how do I bake sourdough bread at home?"):
        assert runner.invoke(app, ["ask", question], env=cli_env).exit_code == 0
    result = runner.invoke(app, ["report", "questions", "--since", "2020-01-01"], env=cli_env)
    assert result.exit_code == 0
    assert "Questions asked: 3" in result.output
    assert "2  ntp" in result.output
    assert "No good match (knowledge gaps): 1" in result.output and "sourdough" in result.output
    bad = runner.invoke(app, ["report", "questions", "--since", "last week"], env=cli_env)
    assert bad.exit_code == 2 and "is not a date" in bad.output


def test_chat_as_an_owner_by_email_shows_their_work(cli_env: dict[str, str]) -> None:
    example = EXAMPLES / "register.csv"
    assert runner.invoke(app, ["register", "import", str(example)], env=cli_env).exit_code == 0
    assert (
        runner.invoke(app, ["jobs", "run"], env=cli_env).exit_code == 0
    )  # plans this period's requests
    result = runner.invoke(app, ["chat", "--user", "bob@example.com"], input="mine\n", env=cli_env)
    assert result.exit_code == 0
    assert "HR-01" in result.output and "AC-01" not in result.output
    refused = runner.invoke(app, ["chat", "--user", "bob"], env=cli_env)
    assert refused.exit_code == 2 and "--user takes an email address" in refused.output


def test_report_questions_counts_and_shows_the_organisations_days(cli_env: dict[str, str]) -> None:
    import time_machine

    env = {**cli_env, "TZ": "America/Los_Angeles"}
    # 19:00 on 30 November in Los Angeles, already 1 December in UTC.
    with time_machine.travel(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), tick=False):
        assert runner.invoke(app, ["ask", "how do I bake sourdough bread?"], env=env).exit_code == 0
    same_day = runner.invoke(app, ["report", "questions", "--since", "2026-11-30"], env=env)
    assert "Questions asked: 1" in same_day.output
    assert "- 2026-11-30 how do I bake sourdough bread?" in same_day.output
    next_day = runner.invoke(app, ["report", "questions", "--since", "2026-12-01"], env=env)
    assert "Questions asked: 0" in next_day.output
