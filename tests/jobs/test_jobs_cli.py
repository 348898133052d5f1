"""The jobs and campaign commands against the fake Slack server; the worker stops on request."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.db import Database
from jobs.delivery import Pacer
from jobs.runner import Jobs
from jobs.scheduler import run_worker

runner = CliRunner()


@pytest.fixture
def env(
    slack_settings, fake_slack, shared_index_dir: Path, tmp_path: Path, monkeypatch
) -> dict[str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for uid in ("U1", "U2", "UBOTX"):
        fake_slack.add_user(uid, is_bot=uid == "UBOTX")
    fake_slack.usergroups["SALL"] = ["U1", "U2", "UBOTX"]
    return {
        "DATABASE_URL": slack_settings.database_url,
        "INDEX_DIR": str(shared_index_dir),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake_slack.url,
        "SECURITY_CHANNEL": "CSEC",
        "DELIVERY_RATE": "50",
        "KNOWLEDGE_DIR": "",
    }


def test_campaign_cli_start_run_status(env: dict[str, str], fake_slack, tmp_path: Path) -> None:
    doc = tmp_path / "policy.pdf"
    doc.write_bytes(b"policy v3")
    started = runner.invoke(
        app,
        [
            "campaign",
            "start",
            "--title",
            "Acceptable use policy",
            "--audience",
            "usergroup:SALL",
            "--due",
            "2099-01-31",
            "--document",
            str(doc),
            "--json",
        ],
        env=env,
    )
    assert started.exit_code == 0, started.output
    data = json.loads(started.output)
    assert data["audience"] == "usergroup:SALL" and data["recipients"] == 2
    ran = runner.invoke(app, ["jobs", "run", "--now", "2098-12-01T10:00:00+00:00"], env=env)
    assert ran.exit_code == 0 and "sent" in ran.output
    invite = [c for c in fake_slack.named("chat.postMessage") if c.params["channel"] == "U1"][0]
    import hashlib

    assert hashlib.sha256(b"policy v3").hexdigest() in json.dumps(invite.params["blocks"])
    status = runner.invoke(app, ["campaign", "status", str(data["id"]), "--json"], env=env)
    st = json.loads(status.output)
    assert {
        k: st[k] for k in ("id", "title", "audience", "delivered", "acknowledged", "overdue")
    } == {
        "id": data["id"],
        "title": "Acceptable use policy",
        "audience": "usergroup:SALL",
        "delivered": 2,
        "acknowledged": 0,
        "overdue": 0,
    }
    listed = runner.invoke(app, ["jobs", "list"], env=env)
    assert "campaign reminder" in listed.output
    reminded = runner.invoke(app, ["campaign", "remind", str(data["id"])], env=env)
    assert "queued 2 reminder(s)" in reminded.output
    closed = runner.invoke(app, ["campaign", "close", str(data["id"])], env=env)
    assert closed.exit_code == 0
    again = runner.invoke(app, ["campaign", "close", str(data["id"])], env=env)
    assert again.exit_code == 1 and "already closed" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audience", "everyone", "--due", "2099-01-01"], "is not an audience"),
        (["--audience", "all", "--due", "31/01/2099"], "is not a date"),
        (["--audience", "all", "--due", "2001-01-01"], "is not in the future"),
        (
            ["--audience", "all", "--due", "2099-01-01", "--quiz", "missing.yaml"],
            "cannot read quiz",
        ),
        (["--audience", "usergroup:SNONE", "--due", "2099-01-01"], "no_such_subteam"),
        (
            ["--audience", "all", "--due", "2099-01-01", "--link", "drive/x"],
            "--link must start with http:// or https://",
        ),
        (
            ["--audience", "all", "--due", "2099-01-01", "--document", "missing.pdf"],
            "--document missing.pdf is not a file",
        ),
        (["--audience", "users:UBOTX", "--due", "2099-01-01"], "Nobody is in users:UBOTX"),
    ],
)
def test_campaign_start_bad_input(env: dict[str, str], args: list[str], message: str) -> None:
    result = runner.invoke(app, ["campaign", "start", "--title", "T", *args], env=env)
    assert result.exit_code != 0 and message in result.output


def test_jobs_run_rejects_a_bad_now(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["jobs", "run", "--now", "tomorrow"], env=env)
    assert result.exit_code == 2 and "is not an ISO date-time" in result.output


def test_worker_stops_cleanly_when_asked(slack_settings) -> None:  # type: ignore[no-untyped-def]
    jobs = Jobs(Database(slack_settings.database_url), slack_settings, None, Pacer(10))
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker, args=(jobs,), kwargs={"interval_seconds": 5, "stop": stop}
    )
    thread.start()
    stop.set()
    thread.join(timeout=20)
    assert not thread.is_alive()


def test_share_in_channel_posts_the_answer(slack_app, fake_slack) -> None:
    from bot.ids import Action
    from tests.slack_support import block_action

    slack_app.command("ask ntp", response_url=fake_slack.root + "/response/1")
    answer = fake_slack.wait_for("response")[0]
    share = [
        e
        for b in answer.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.SHARE_ANSWER
    ][0]
    slack_app.interaction(
        block_action(
            Action.SHARE_ANSWER, share["value"], response_url=fake_slack.root + "/response/2"
        )
    )
    posted = fake_slack.wait_for("chat.postMessage")[0]
    assert posted.params["channel"] == "CGEN" and "A.8.17" in posted.params["text"]
    assert fake_slack.wait_for("response", count=2)[1].params.get("delete_original") is True


def test_jobs_run_now_in_the_past_sends_what_was_due_then(
    env: dict[str, str], fake_slack, tmp_path: Path
) -> None:
    fake_slack.add_user("UALICE", tz="America/New_York", email="alice@example.com")
    register = tmp_path / "r.csv"
    register.write_text(
        "id,title,requirements,owner,cadence\nAC-01,Access review,A.5.18,alice@example.com,quarterly\n"
    )
    assert runner.invoke(app, ["register", "import", str(register)], env=env).exit_code == 0
    ran = runner.invoke(app, ["jobs", "run", "--now", "2026-03-25T14:00:00+00:00"], env=env)
    assert ran.exit_code == 0, ran.output
    nudges = [c for c in fake_slack.named("chat.postMessage") if c.params["channel"] == "UALICE"]
    assert len(nudges) == 1 and "is due on 2026-03-31" in nudges[0].params["text"]


def test_a_past_due_day_is_named_as_typed_in_the_organisations_zone(env: dict[str, str]) -> None:
    import time_machine

    # 19:00 on 30 November in Los Angeles: the end of the 29th there was 07:59 UTC on the 30th.
    with time_machine.travel(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), tick=False):
        result = runner.invoke(
            app,
            ["campaign", "start", "--title", "T", "--audience", "all", "--due", "2026-11-29"],
            env={**env, "TZ": "America/Los_Angeles"},
        )
    assert result.exit_code != 0
    assert "The due date 2026-11-29 is not in the future" in result.output


def test_a_due_day_still_running_in_the_organisations_zone_is_accepted(
    env: dict[str, str],
) -> None:
    import time_machine

    # 19:00 on 30 November in Los Angeles: the 30th is still today there (not in UTC).
    with time_machine.travel(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), tick=False):
        result = runner.invoke(
            app,
            ["campaign", "start", "--title", "T", "--audience", "all", "--due", "2026-11-30"],
            env={**env, "TZ": "America/Los_Angeles"},
        )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["campaign", "list"], env={**env, "TZ": "America/Los_Angeles"})
    assert "2026-11-30" in listed.output and "2026-12-01" not in listed.output


def test_jobs_run_reads_a_now_without_offset_as_a_time_in_tz(env: dict[str, str]) -> None:
    ran = runner.invoke(
        app,
        ["jobs", "run", "--now", "2026-12-01T10:00:00"],
        env={**env, "TZ": "America/Los_Angeles"},
    )
    assert ran.exit_code == 0, ran.output
    assert "ran jobs due at 2026-12-01T18:00:00+00:00" in ran.output


def test_campaign_start_with_a_blank_title_is_refused(env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        ["campaign", "start", "--title", "   ", "--audience", "all", "--due", "2099-01-01"],
        env=env,
    )
    assert result.exit_code != 0 and "A campaign needs a title." in result.output
