"""Handling an incident in its thread over signed HTTP: triage, timeline with files, review, actions, close."""

from __future__ import annotations

import time
from datetime import date, timedelta

from sqlalchemy import select

from bot.ids import Action, Block, View
from core.incidents.models import CorrectiveAction, IncidentReview, TimelineEntry
from core.models import Blob
from tests.bot.slack.incidents.support import (
    SECURITY,
    dm_to,
    form,
    incidents,
    ledger_kinds,
    press,
    reported,
)
from tests.slack_support import answer_marker, wait_until

TRIAGE = {
    Block.INCIDENT_KIND: {"type": "static_select", "selected_option": {"value": "incident"}},
    Block.INCIDENT_SEVERITY: {"type": "static_select", "selected_option": {"value": "high"}},
    Block.INCIDENT_HANDLER: {"type": "users_select", "selected_user": "USEC1"},
    Block.INCIDENT_STATUS: {"type": "static_select", "selected_option": {"value": "triaged"}},
    Block.INCIDENT_BREACH: {"type": "radio_buttons", "selected_option": {"value": "yes"}},
}


def _status(value: str, **extra: dict) -> dict:  # type: ignore[type-arg]
    return {
        Block.INCIDENT_STATUS: {"type": "static_select", "selected_option": {"value": value}},
        **extra,
    }


def _thread_message(server, incident, text: str, *, user: str = "USEC1", files=None, n: int = 1):  # type: ignore[no-untyped-def]
    event = {
        "type": "message",
        "channel": SECURITY,
        "channel_type": "group",
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "thread_ts": incident.thread_ts,
    }
    if files:
        event.update(subtype="file_share", files=files)
    server.event(event, event_id=f"EvT{n}")


def _timeline(runtime) -> list[TimelineEntry]:  # type: ignore[no-untyped-def]
    with runtime.db.session_scope() as session:
        return list(session.scalars(select(TimelineEntry).order_by(TimelineEntry.id)))


def test_non_members_are_refused_at_the_buttons_and_the_forms_and_nothing_changes(
    server, fake_slack, runtime
) -> None:
    incident = reported(server, fake_slack, runtime)
    for n, action in enumerate(
        (Action.INCIDENT_TRIAGE, Action.INCIDENT_REVIEW, Action.INCIDENT_ADD_ACTION)
    ):
        press(server, fake_slack, action, str(incident.id), user="UMALLORY", n=f"m{n}")
        refusal = fake_slack.wait_for("response", count=n + 1)[n].params["text"]
        assert "Only the security team" in refusal
    errors = server.interaction(
        form(View.INCIDENT_TRIAGE, incident.id, TRIAGE, user="UMALLORY")
    ).view_errors()
    assert "Only the security team" in errors[Block.INCIDENT_STATUS]
    assert fake_slack.named("views.open") == []
    assert incidents(runtime)[0].status == "reported" and ledger_kinds(runtime) == [
        "incident_reported"
    ]


def test_triage_in_the_thread_starts_the_breach_clock_and_skipping_a_step_is_refused(
    server, fake_slack, runtime
) -> None:
    incident = reported(server, fake_slack, runtime)
    press(server, fake_slack, Action.INCIDENT_TRIAGE, str(incident.id), user="USEC2", n="t")
    assert (
        fake_slack.wait_for("views.open")[0].params["view"]["callback_id"] == View.INCIDENT_TRIAGE
    )
    skip = form(View.INCIDENT_TRIAGE, incident.id, {**TRIAGE, **_status("resolved")})
    assert (
        "must be triaged before it can be resolved"
        in server.interaction(skip).view_errors()[Block.INCIDENT_STATUS]
    )
    assert incidents(runtime)[0].kind is None  # all or nothing
    assert server.interaction(form(View.INCIDENT_TRIAGE, incident.id, TRIAGE)).view_errors() == {}
    after = incidents(runtime)[0]
    assert (after.status, after.kind, after.severity, after.handler) == (
        "triaged",
        "incident",
        "high",
        "USEC1",
    )
    assert after.notify_due_at == after.aware_at + timedelta(hours=72)  # type: ignore[operator]
    note = fake_slack.wait_for_match(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == incident.thread_ts
    )
    assert "status → triaged" in note.params["text"]
    assert fake_slack.wait_for("chat.update")[0].params["ts"] == incident.thread_ts
    assert ledger_kinds(runtime) == ["incident_reported", "incident_triage", "incident_status"]


def test_thread_messages_and_files_are_the_timeline_and_late_ones_are_marked(
    server, fake_slack, runtime
) -> None:
    incident = reported(server, fake_slack, runtime)
    fake_slack.add_file("F1", b"%PDF police report", "police.pdf", mimetype="application/pdf")
    fake_slack.add_file("FBIG", b"x" * 64, "video.mov")
    runtime.settings = runtime.settings.model_copy(update={"evidence_max_bytes": 32})
    _thread_message(
        server,
        incident,
        "Police report attached",
        files=[{"id": "F1", "name": "police.pdf"}, {"id": "FBIG", "name": "video.mov"}],
    )
    refused = fake_slack.wait_for("chat.postEphemeral")[0].params
    assert (
        "Not kept on the record: video.mov is 64 bytes" in refused["text"]
        and "EVIDENCE_MAX_BYTES" in refused["text"]
    )
    entry = wait_until(lambda: _timeline(runtime))[0]
    assert entry.author == "USEC1" and entry.text == "Police report attached" and not entry.late
    with runtime.db.session_scope() as session:
        assert session.get(Blob, entry.files[0]["sha256"]).content == b"%PDF police report"  # type: ignore[union-attr]
    assert entry.files[1]["name"] == "video.mov" and "refused" in entry.files[1]
    server.interaction(
        form(
            View.INCIDENT_TRIAGE,
            incident.id,
            {
                **TRIAGE,
                Block.INCIDENT_KIND: {
                    "type": "static_select",
                    "selected_option": {"value": "event"},
                },
                Block.INCIDENT_BREACH: {"type": "radio_buttons", "selected_option": None},
            },
        )
    )
    assert (
        server.interaction(form(View.INCIDENT_TRIAGE, incident.id, _status("closed"))).view_errors()
        == {}
    )
    _thread_message(server, incident, "Found the laptop after all", user="UBOB", n=2)
    late = fake_slack.wait_for("chat.postEphemeral", count=2)[1].params
    assert "marked late" in late["text"] and late["user"] == "UBOB"
    assert [e.late for e in _timeline(runtime)] == [False, True]


def test_messages_outside_incident_threads_are_not_kept(server, fake_slack, runtime) -> None:
    incident = reported(server, fake_slack, runtime)
    server.event(
        {
            "type": "message",
            "channel": SECURITY,
            "user": "USEC1",
            "text": "lunch?",
            "ts": "1.5",
            "thread_ts": "1.4",
        },
        event_id="EvX",
    )
    server.event(
        {
            "type": "message",
            "channel": SECURITY,
            "user": "USEC1",
            "text": "bot",
            "bot_id": "B1",
            "ts": "1.6",
            "thread_ts": incident.thread_ts,
        },
        event_id="EvY",
    )
    answer_marker(server, fake_slack)
    assert _timeline(runtime) == []


def test_review_and_two_actions_followed_to_done_then_closed(server, fake_slack, runtime) -> None:
    incident = reported(server, fake_slack, runtime)
    triage = {
        **TRIAGE,
        Block.INCIDENT_BREACH: {"type": "radio_buttons", "selected_option": {"value": "no"}},
    }
    for values in (triage, _status("contained"), _status("resolved")):
        assert (
            server.interaction(form(View.INCIDENT_TRIAGE, incident.id, values)).view_errors() == {}
        )
    closing = server.interaction(
        form(View.INCIDENT_TRIAGE, incident.id, _status("closed"))
    ).view_errors()
    assert "post-incident review" in closing[Block.INCIDENT_STATUS]
    review = {
        Block.INCIDENT_ROOT_CAUSE: {"value": "Laptop left in a car"},
        Block.INCIDENT_LESSONS: {"value": "Disk encryption saved us"},
    }
    assert server.interaction(form(View.INCIDENT_REVIEW, incident.id, review)).view_errors() == {}
    due = (date.today() + timedelta(days=10)).isoformat()
    for n, owner in enumerate(("UBOB", "UCAROL")):
        action = {
            Block.INCIDENT_ACTION_TEXT: {"value": f"Fix {n}"},
            Block.INCIDENT_ACTION_OWNER: {"selected_user": owner},
            Block.INCIDENT_ACTION_DUE: {"selected_date": due},
        }
        assert (
            server.interaction(form(View.INCIDENT_ACTION, incident.id, action)).view_errors() == {}
        )
        dm_to(fake_slack, owner, f"Corrective action #{n + 1}")
    closing = server.interaction(
        form(View.INCIDENT_TRIAGE, incident.id, _status("closed"))
    ).view_errors()
    assert "2 corrective action(s) still open" in closing[Block.INCIDENT_STATUS]
    press(server, fake_slack, Action.INCIDENT_ACTION_DONE, "1", user="UMALLORY", n="x")
    assert "Only the action's owner" in fake_slack.wait_for("response")[0].params["text"]
    press(server, fake_slack, Action.INCIDENT_ACTION_DONE, "1", user="UBOB", n="d1")
    press(server, fake_slack, Action.INCIDENT_ACTION_DONE, "2", user="USEC1", n="d2")
    wait_until(lambda: _actions_done(runtime) == 2)
    assert (
        server.interaction(form(View.INCIDENT_TRIAGE, incident.id, _status("closed"))).view_errors()
        == {}
    )
    assert incidents(runtime)[0].status == "closed"
    with runtime.db.session_scope() as session:
        assert session.scalars(select(IncidentReview)).one().reviewed_by == "USEC1"
    kinds = ledger_kinds(runtime)
    assert kinds.count("incident_action_added") == 2 and kinds.count("incident_action_done") == 2
    assert kinds[-1] == "incident_status" and "incident_reviewed" in kinds


def _actions_done(runtime) -> int:  # type: ignore[no-untyped-def]
    with runtime.db.session_scope() as session:
        return len([a for a in session.scalars(select(CorrectiveAction)) if a.status == "done"])


def test_review_and_action_refusals_show_under_their_fields_and_store_nothing(
    server, fake_slack, runtime
) -> None:
    incident = reported(server, fake_slack, runtime)
    review = {
        Block.INCIDENT_ROOT_CAUSE: {"value": "Too early"},
        Block.INCIDENT_LESSONS: {"value": "-"},
    }
    errors = server.interaction(form(View.INCIDENT_REVIEW, incident.id, review)).view_errors()
    assert "once it is resolved" in errors[Block.INCIDENT_ROOT_CAUSE]
    past = {
        Block.INCIDENT_ACTION_TEXT: {"value": "Rotate keys"},
        Block.INCIDENT_ACTION_OWNER: {"selected_user": "UBOB"},
        Block.INCIDENT_ACTION_DUE: {"selected_date": "2020-01-01"},
    }
    errors = server.interaction(form(View.INCIDENT_ACTION, incident.id, past)).view_errors()
    assert "due date in the future" in errors[Block.INCIDENT_ACTION_DUE]
    assert ledger_kinds(runtime) == ["incident_reported"]
