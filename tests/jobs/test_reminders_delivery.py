"""Reminders queued by the engine reach Slack laid out by their domain's renderer, or the default."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine

from bot.blocks import reminders as blocks
from bot.blocks.common import section
from bot.ids import Action
from core.reminders import service
from jobs.runner import Jobs
from tests.reminders_support import DOMAIN, DUE, Chores

WHEN = datetime(2026, 12, 24, 18, tzinfo=UTC)  # 13:00 in New York, where users.info puts Alice


def _open(jobs: Jobs, **kwargs: Any) -> int:
    kwargs.setdefault("assignee", "UALICE")
    with jobs.db.session_scope() as session:
        return service.open_item(
            db_session=session, domain=DOMAIN, ref_id=1, due_at=DUE, **kwargs
        ).id


def _run(jobs: Jobs, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        jobs.run_due(when)


def _posted(workspace, channel: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [c.params for c in workspace.named("chat.postMessage") if c.params["channel"] == channel]


def test_the_default_layout_has_the_content_and_snooze_buttons(jobs: Jobs, workspace) -> None:  # type: ignore[no-untyped-def]
    Chores().register().titles = {1: "Water the plants"}
    item_id = _open(jobs)
    _run(jobs, WHEN)
    (sent,) = _posted(workspace, "UALICE")
    assert sent["text"] == ":wave: Water the plants is due on 2026-12-31."
    assert sent["blocks"][1]["elements"][0]["text"] == "Do the chore.\nChore 1"
    elements = [e for b in sent["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["value"]) for e in elements] == [
        (Action.SNOOZE_ITEM, f"{item_id}:{d}") for d in (1, 3, 7)
    ]


def test_escalation_names_the_assignee_and_has_no_snooze(jobs: Jobs, workspace) -> None:  # type: ignore[no-untyped-def]
    Chores().register().titles = {1: "Water the plants"}
    _open(jobs, escalate_to="UMGR")
    _run(jobs, datetime(2027, 1, 8, 15, tzinfo=UTC))
    (sent,) = _posted(workspace, "UMGR")
    assert (
        sent["text"]
        == ":rotating_light: Water the plants is 8 day(s) overdue. Assigned to <@UALICE>."
    )
    assert all(b["type"] != "actions" for b in sent["blocks"])


def test_a_registered_renderer_lays_out_its_domain(jobs: Jobs, workspace) -> None:  # type: ignore[no-untyped-def]
    Chores().register().titles = {1: "Water the plants"}

    def chore_message(payload: dict[str, Any], *, zone: Any) -> dict[str, Any]:
        head = f"Chore {payload['ref_id']} ({payload['stage']}): {payload['content']['title']}"
        return {
            "text": head,
            "blocks": [section(head), *blocks.default_message(payload, zone=zone)["blocks"][1:]],
        }

    blocks.register_renderer(DOMAIN, chore_message)
    try:
        _open(jobs)
        _run(jobs, WHEN)
    finally:
        blocks._renderers.pop(DOMAIN)
    (sent,) = _posted(workspace, "UALICE")
    assert sent["text"] == "Chore 1 (before): Water the plants"
    assert any(b["type"] == "actions" for b in sent["blocks"])
