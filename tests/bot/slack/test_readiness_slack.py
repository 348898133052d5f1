"""`/compliance readiness` and App Home over signed HTTP against the fake Slack."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from bot.commands.readiness import measure
from bot.runtime import Runtime
from tests.fakes import FakeEmbedder
from tests.paths import EXAMPLES
from tests.readiness_support import import_register
from tests.slack_support import SlackAppServer

EXAMPLE = EXAMPLES / "register.csv"
ACK_DEADLINE_S = 3.0


@pytest.fixture
def runtime(slack_settings) -> Runtime:  # type: ignore[no-untyped-def]
    """A runtime on the fake Slack; readiness needs no search model."""
    return Runtime(slack_settings, embedder=FakeEmbedder())


@pytest.fixture
def server(runtime: Runtime):  # type: ignore[no-untyped-def]
    app = SlackAppServer(runtime)
    yield app
    app.close()


@pytest.fixture
def registered(runtime: Runtime, tmp_path: Path) -> Runtime:
    rows = EXAMPLE.read_text(encoding="utf-8").split("\n", 1)[1]
    import_register(runtime.db, runtime.catalogue, tmp_path, rows)
    return runtime


def command(server: SlackAppServer, fake_slack, text: str, user: str, n: int):  # type: ignore[no-untyped-def]
    """Send /compliance <text> and return the reply Slack's response_url received."""
    start = time.monotonic()
    response = server.command(text, user=user, response_url=f"{fake_slack.root}/response/{n}")
    elapsed = time.monotonic() - start
    assert response.status == 200 and elapsed < ACK_DEADLINE_S, (response, elapsed)
    return fake_slack.wait_for("response", count=n)[n - 1].params


def numbers(text: str) -> list[tuple[str, int, int]]:
    """(percent, current, applicable) from every headline in a text."""
    found = re.findall(r"(\d+%|n/a) ready \((\d+) of (\d+) applicable", text)
    return [(p, int(c), int(a)) for p, c, a in found]


def expected(runtime: Runtime) -> list[tuple[str, int, int]]:
    data = measure(runtime).as_json()
    return [
        (
            f"{round(f['ready'] * 100)}%",
            f["counts"]["current"],
            f["in_scope"] - f["counts"]["not_applicable"],
        )
        for f in data["frameworks"]
    ]


def test_the_security_team_gets_bars_and_the_most_urgent_items(
    server, fake_slack, registered
) -> None:  # type: ignore[no-untyped-def]
    reply = command(server, fake_slack, "readiness", "USEC1", 1)
    blocks = json.dumps(reply["blocks"], ensure_ascii=False)
    assert numbers(blocks) == expected(registered) and len(numbers(blocks)) == 2
    assert "`░░░░░░░░░░`   0%  A.5 Organizational controls" in blocks
    assert "CC6 Logical and Physical Access Controls" in blocks
    urgent = next(b for b in reply["blocks"] if "Most urgent" in json.dumps(b))
    lines = urgent["text"]["text"].splitlines()[1:]
    assert len(lines) == 10 and lines[0].startswith(":white_circle: 4.1 ")
    assert reply["text"].startswith("ISO 27001:2022: 0% ready")


def test_overdue_items_come_first_with_their_owners(server, fake_slack, registered) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from sqlalchemy import update

    from core.evidence.service import plan_requests
    from core.models import EvidenceRequest, OrgControl, utcnow

    with registered.db.session_scope() as session:
        plan_requests(utcnow(), registered.settings.zone, db_session=session)
        ops = session.query(OrgControl).filter_by(ref="OPS-01").one()
        session.execute(
            update(EvidenceRequest)
            .where(EvidenceRequest.control_id == ops.id)
            .values(due_at=utcnow() - timedelta(days=2))
        )
    reply = command(server, fake_slack, "readiness soc2", "USEC1", 1)
    urgent = next(b for b in reply["blocks"] if "Most urgent" in json.dumps(b))
    first = urgent["text"]["text"].splitlines()[1]
    # OPS-01 implements A1.2 and A1.3, but availability is not in SOC2_CATEGORIES here.
    assert first.startswith(":white_circle: CC1.1")
    reply = command(server, fake_slack, "readiness iso27001", "USEC1", 2)
    urgent = next(b for b in reply["blocks"] if "Most urgent" in json.dumps(b))
    first = urgent["text"]["text"].splitlines()[1]
    assert first.startswith(":red_circle: A.8.13 Information backup (overdue since")
    assert first.endswith("— <@U0OPSLEAD>")
    assert "SOC 2" not in json.dumps(reply["blocks"])


def test_someone_outside_the_security_team_is_refused(server, fake_slack, registered) -> None:  # type: ignore[no-untyped-def]
    reply = command(server, fake_slack, "readiness", "UALICE", 1)
    assert "Only the security team can use `/compliance readiness`" in reply["text"]
    assert "ready" not in reply["text"] and "blocks" not in reply


def test_an_unknown_framework_shows_the_command_help(server, fake_slack, registered) -> None:  # type: ignore[no-untyped-def]
    reply = command(server, fake_slack, "readiness pci", "USEC1", 1)
    text = reply["text"] + json.dumps(reply.get("blocks", []))
    assert "Name one framework, iso27001 or soc2" in text and "readiness [iso27001|soc2]" in text


def test_an_empty_register_points_at_register_import(server, fake_slack) -> None:  # type: ignore[no-untyped-def]
    reply = command(server, fake_slack, "readiness", "USEC1", 1)
    assert "register is empty" in reply["text"]
    assert "compliance-bot register import" in reply["text"]


def test_app_home_shows_readiness_above_the_campaigns_for_the_team(
    server, fake_slack, registered
) -> None:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    response = server.event(
        {"type": "app_home_opened", "user": "USEC1", "tab": "home", "channel": "D1"},
        event_id="EvHome1",
    )
    assert response.status == 200 and time.monotonic() - start < ACK_DEADLINE_S
    view = fake_slack.wait_for("views.publish")[0].params["view"]
    text = json.dumps(view, ensure_ascii=False)
    assert numbers(text) == expected(registered)
    assert text.index("Security team overview") < text.index("ISO 27001:2022: 0% ready")
    assert text.index("SOC 2: 0% ready") < text.index("No active campaigns")

    server.event(
        {"type": "app_home_opened", "user": "UALICE", "tab": "home", "channel": "D2"},
        event_id="EvHome2",
    )
    other = json.dumps(fake_slack.wait_for("views.publish", count=2)[1].params["view"])
    assert "ready (" not in other and "Security team overview" not in other


def test_app_home_without_a_register_says_how_to_start(server, fake_slack) -> None:  # type: ignore[no-untyped-def]
    response = server.event(
        {"type": "app_home_opened", "user": "USEC1", "tab": "home", "channel": "D1"},
        event_id="EvHome3",
    )
    assert response.status == 200
    view = json.dumps(fake_slack.wait_for("views.publish")[0].params["view"])
    assert "compliance-bot register import" in view and "No active campaigns" in view


def test_the_console_shows_the_same_readiness_as_text(registered: Runtime) -> None:
    from bot.commands import all_commands
    from bot.router import Actor, Request, Router, TextReply

    router = Router(registered, all_commands())
    actor = Actor("console", is_security=True)
    reply = router.handle(Request(actor=actor, text="readiness iso27001", surface="console"))
    assert isinstance(reply, TextReply)
    assert numbers(reply.text) == expected(registered)[:1]
    assert "A.5 Organizational controls" in reply.text and "Most urgent:" in reply.text


def test_overdue_days_are_the_organisations(slack_settings, fake_slack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from sqlalchemy import update

    from core.evidence.service import plan_requests
    from core.models import EvidenceRequest, OrgControl, utcnow

    settings = slack_settings.model_copy(update={"tz": "America/Los_Angeles"})
    runtime = Runtime(settings, embedder=FakeEmbedder())
    rows = EXAMPLE.read_text(encoding="utf-8").split("\n", 1)[1]
    import_register(runtime.db, runtime.catalogue, tmp_path, rows)
    with runtime.db.session_scope() as session:
        plan_requests(utcnow(), settings.zone, db_session=session)
        ops = session.query(OrgControl).filter_by(ref="OPS-01").one()
        session.execute(
            update(EvidenceRequest)
            .where(EvidenceRequest.control_id == ops.id)
            # 22:00 on 19 November in Los Angeles; already the 20th in UTC.
            .values(due_at=datetime(2025, 11, 20, 6, 0, tzinfo=UTC))
        )
    server = SlackAppServer(runtime)
    try:
        reply = command(server, fake_slack, "readiness iso27001", "USEC1", 1)
    finally:
        server.close()
    urgent = next(b for b in reply["blocks"] if "Most urgent" in json.dumps(b))
    first = urgent["text"]["text"].splitlines()[1]
    assert first.startswith(":red_circle: A.8.13 Information backup (overdue since 2025-11-19)")
    as_of = reply["blocks"][-1]["elements"][0]["text"]
    assert re.fullmatch(r"As of \d{4}-\d\d-\d\d \d\d:\d\d P[SD]T\.", as_of), as_of
