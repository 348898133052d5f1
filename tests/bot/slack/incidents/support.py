"""Driving the incident flow over signed HTTP: a runtime on the fake Slack, forms and clicks."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from bot.ids import Block, Field, View
from bot.runtime import Runtime
from core.incidents.models import Incident
from core.models import LedgerRecord
from tests.fake_slack import FakeSlack
from tests.slack_support import SlackAppServer, block_action, view_submission, wait_until

SECURITY = "CSEC"


def private_channel(fake: FakeSlack, *, is_member: bool = True, error: str | None = None) -> None:
    """conversations.info says SECURITY_CHANNEL is private with the bot in it (or fails)."""

    def info(params: dict[str, Any]) -> dict[str, Any]:
        if error:
            return {"ok": False, "error": error}
        return {
            "ok": True,
            "channel": {"id": params.get("channel"), "is_private": True, "is_member": is_member},
        }

    fake.responses["conversations.info"] = info


def report_form(
    what: str = "My laptop was stolen from my car",
    *,
    user: str = "UALICE",
    noticed: int | None = None,
    personal: bool = True,
) -> dict[str, Any]:
    """The report modal's submission."""
    values = {
        Block.INCIDENT_WHAT: {Field.VALUE: {"type": "plain_text_input", "value": what}},
        Block.INCIDENT_NOTICED: {
            Field.VALUE: {"type": "datetimepicker", "selected_date_time": noticed}
        },
        Block.INCIDENT_SYSTEMS: {Field.VALUE: {"type": "plain_text_input", "value": "laptop"}},
        Block.INCIDENT_PERSONAL: {
            Field.VALUE: {
                "type": "radio_buttons",
                "selected_option": {"value": "yes" if personal else "no"},
            }
        },
    }
    return view_submission(
        View.INCIDENT_REPORT, values, user=user, view_id=f"VR{time.monotonic_ns()}"
    )


def form(
    view: str, incident_id: int, values: dict[str, dict[str, Any]], *, user: str = "USEC1"
) -> dict[str, Any]:
    """A security-team modal's submission: block -> element state."""
    state = {block: {Field.VALUE: value} for block, value in values.items()}
    return view_submission(
        view, state, user=user, view_id=f"V{time.monotonic_ns()}", metadata=str(incident_id)
    )


def press(
    server: SlackAppServer, fake: FakeSlack, action: str, value: str, *, user: str, n: str
) -> None:
    """Click a button; its response_url is /response/<n> on the fake."""
    server.interaction(
        block_action(
            action, value, user=user, channel=SECURITY, response_url=f"{fake.root}/response/{n}"
        )
    )


def incidents(runtime: Runtime) -> list[Incident]:
    with runtime.db.session_scope() as session:
        return list(session.scalars(select(Incident).order_by(Incident.id)))


def ledger_kinds(runtime: Runtime) -> list[str]:
    with runtime.db.session_scope() as session:
        return [r.kind for r in session.scalars(select(LedgerRecord).order_by(LedgerRecord.seq))]


def dm_to(fake: FakeSlack, user: str, containing: str) -> Any:
    """Wait for a chat.postMessage to `user` whose text contains `containing`."""
    return fake.wait_for_match(
        "chat.postMessage",
        lambda c: c.params.get("channel") == user and containing in str(c.params.get("text")),
    )


def reported(server: SlackAppServer, fake: FakeSlack, runtime: Runtime) -> Incident:
    """Report one incident through the form and wait until its thread exists."""
    response = server.interaction(report_form())
    assert response.view_errors() == {}
    return wait_until(lambda: [i for i in incidents(runtime) if i.thread_ts])[-1]
