"""Readiness JSON, `/compliance readiness`, App Home and the weekly digest show the same numbers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from bot.blocks.messages import render
from bot.cli import app as cli
from bot.runtime import Runtime
from bot.slack_client import make_client
from core.db import Database
from jobs.delivery import Pacer
from jobs.runner import Jobs
from tests.fakes import FakeEmbedder
from tests.paths import EXAMPLES
from tests.readiness_support import decide, hand_in, import_register
from tests.slack_support import SlackAppServer

EXAMPLE = EXAMPLES / "register.csv"
T0 = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)  # a Wednesday
SLOT = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin: the digest is due
WEEKLY = 'OV-01,Weekly vulnerability triage,"A.8.8, CC7.1",bob@example.com,0 9 * * 5,Notes,yes,,\n'
HEADLINE = re.compile(r"(\d+%|n/a) ready \((\d+) of (\d+) applicable")


def headlines(blob: object) -> list[tuple[str, str, str]]:
    return HEADLINE.findall(json.dumps(blob, ensure_ascii=False))


@pytest.fixture
def runtime(slack_settings, fake_slack) -> Runtime:  # type: ignore[no-untyped-def]
    for user in ("UALICE", "UBOB", "USEC1"):
        fake_slack.add_user(user, tz="Europe/Berlin")
    settings = slack_settings.model_copy(update={"tz": "Europe/Berlin", "delivery_rate": 200.0})
    return Runtime(settings, embedder=FakeEmbedder())


def test_every_surface_shows_the_same_readiness(
    runtime: Runtime, fake_slack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    settings = runtime.settings
    jobs = Jobs(
        Database(settings.database_url),
        settings,
        make_client(settings),
        Pacer(200.0, sleep=lambda _s: None),
        render=render,
    )
    zone = settings.zone
    rows = EXAMPLE.read_text(encoding="utf-8").split("\n", 1)[1] + WEEKLY
    with time_machine.travel(T0, tick=False):
        import_register(runtime.db, runtime.catalogue, tmp_path, rows)
        decide(runtime.db, hand_in(runtime.db, "HR-01", zone, now=T0, text="LMS"), accept=True)
        hand_in(runtime.db, "AC-02", zone, now=T0, text="MFA policy screenshot")
        jobs.run_due(T0)  # plans requests and schedules the digest

    monkeypatch.chdir(tmp_path)
    server = SlackAppServer(runtime)
    try:
        with time_machine.travel(SLOT, tick=True):
            jobs.run_due(SLOT)
            result = CliRunner().invoke(
                cli,
                ["readiness", "--json"],
                env={
                    "DATABASE_URL": settings.database_url,
                    "TZ": "Europe/Berlin",
                    "SLACK_BOT_TOKEN": "",
                    "KNOWLEDGE_DIR": "",
                    "SOC2_CATEGORIES": "",
                },
            )
            server.command("readiness", user="USEC1", response_url=f"{fake_slack.root}/response/1")
            command = fake_slack.wait_for("response")[0].params
            server.event(
                {"type": "app_home_opened", "user": "USEC1", "tab": "home", "channel": "D1"},
                event_id="EvAgree",
            )
            home = fake_slack.wait_for("views.publish")[0].params["view"]
    finally:
        server.close()

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = [
        (
            "n/a" if f["ready"] is None else f"{round(f['ready'] * 100)}%",
            str(f["counts"]["current"]),
            str(f["in_scope"] - f["counts"]["not_applicable"]),
        )
        for f in data["frameworks"]
    ]
    iso = data["frameworks"][0]["counts"]
    # The scenario has every kind of status, so agreeing is not agreeing on zeros.
    assert iso["current"] == 2 and iso["submitted"] == 1 and iso["overdue"] == 1
    assert iso["not_applicable"] == 2 and iso["gap"] > 0 and iso["no_evidence"] > 0
    digest = next(
        c.params
        for c in fake_slack.named("chat.postMessage")
        if c.params.get("text", "").startswith("Weekly readiness digest")
    )
    assert headlines(command["blocks"]) == expected
    assert headlines(home["blocks"]) == expected
    assert headlines(digest["blocks"]) == expected
    # Per group, the Slack bars carry the JSON's shares.
    texts = "\n".join(b["text"]["text"] for b in command["blocks"] if b["type"] == "section")
    shown = re.findall(r"^`[█░·]{10}` +(\d+%|n/a)  (.+)$", texts, flags=re.MULTILINE)
    wanted = [
        ("n/a" if g["ready"] is None else f"{round(g['ready'] * 100)}%", g["title"])
        for f in data["frameworks"]
        for g in f["groups"]
    ]
    assert [(p, t.replace("  (not applicable)", "")) for p, t in shown] == wanted
    # The most urgent item in Slack is the JSON's overdue requirement, with the same owner.
    overdue = [r for r in data["requirements"] if r["status"] == "overdue"]
    assert {r["id"] for r in overdue} == {"A.8.8", "CC7.1"}
    assert "A.8.8 " in json.dumps(command["blocks"]) and overdue[0]["owners"] == ["UBOB"]
    assert "<@UBOB>: 2 overdue" in json.dumps(digest["blocks"])
