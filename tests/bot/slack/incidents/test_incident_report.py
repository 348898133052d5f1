"""Reporting an incident over signed HTTP: slash command, the button under an answer, refusals, fallbacks."""

from __future__ import annotations

import time

from bot.ids import Action, Block, View
from tests.bot.slack.incidents.support import (
    SECURITY,
    dm_to,
    incidents,
    ledger_kinds,
    private_channel,
    report_form,
    reported,
)
from tests.slack_support import block_action, send_dm, wait_until


def test_the_slash_command_opens_the_form_and_a_report_reaches_the_team_privately(
    server, fake_slack, runtime
) -> None:
    server.command("incident", user="UALICE", response_url=f"{fake_slack.root}/response/1")
    opened = fake_slack.wait_for("views.open")[0].params["view"]
    assert opened["callback_id"] == View.INCIDENT_REPORT
    incident = reported(server, fake_slack, runtime)
    assert incident.ref == "INC-1" and incident.channel == SECURITY
    post = fake_slack.wait_for_match(
        "chat.postMessage", lambda c: c.params.get("channel") == SECURITY
    )
    assert "My laptop was stolen" in str(post.params["blocks"]) and post.params["blocks"]
    told = dm_to(fake_slack, "UALICE", "INC-1")
    assert "What happens next" in told.params["text"]
    # Private: the report went to the private security channel and the reporter's DM only.
    channels = {c.params.get("channel") for c in fake_slack.named("chat.postMessage")}
    assert channels == {SECURITY, "UALICE"}
    assert ledger_kinds(runtime) == ["incident_reported"]


def test_an_answer_about_incident_reporting_offers_the_report_button(
    server, fake_slack, runtime
) -> None:
    send_dm(server, "A.6.8", user="UBOB")
    answer = fake_slack.wait_for_match(
        "chat.postMessage", lambda c: c.params.get("channel") == "DBOB"
    )
    buttons = [e for b in answer.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    report = next(b for b in buttons if b["action_id"] == Action.REPORT_INCIDENT)
    server.interaction(
        block_action(report["action_id"], report["value"], user="UBOB", channel="DBOB")
    )
    assert (
        fake_slack.wait_for("views.open")[0].params["view"]["callback_id"] == View.INCIDENT_REPORT
    )
    assert server.interaction(report_form("Phishing link clicked", user="UBOB")).view_errors() == {}
    dm_to(fake_slack, "UBOB", "INC-1")
    assert [i.reporter for i in incidents(runtime)] == ["UBOB"]


def test_an_answer_about_something_else_has_no_report_button(server, fake_slack) -> None:
    send_dm(server, "A.8.13", user="UBOB")
    answer = fake_slack.wait_for_match(
        "chat.postMessage", lambda c: c.params.get("channel") == "DBOB"
    )
    assert Action.REPORT_INCIDENT not in str(answer.params["blocks"])


def test_empty_over_long_and_future_reports_are_refused_under_their_field(
    server, fake_slack, runtime
) -> None:
    refusals = {
        Block.INCIDENT_WHAT: [report_form("   "), report_form("x" * 3001)],
        Block.INCIDENT_NOTICED: [report_form(noticed=int(time.time()) + 7200)],
    }
    for block, forms in refusals.items():
        for submitted in forms:
            errors = server.interaction(submitted).view_errors()
            assert list(errors) == [block], errors
    assert (
        "cannot be empty" in server.interaction(report_form("")).view_errors()[Block.INCIDENT_WHAT]
    )
    assert incidents(runtime) == [] and ledger_kinds(runtime) == []
    assert fake_slack.named("chat.postMessage") == []


def test_a_missing_channel_still_stores_the_report_and_dms_the_team(
    server, fake_slack, runtime
) -> None:
    private_channel(fake_slack, error="channel_not_found")
    assert server.interaction(report_form()).view_errors() == {}
    told = dm_to(fake_slack, "UALICE", "INC-1")
    assert "by direct message" in told.params["text"]
    for member in ("USEC1", "USEC2"):  # a listed user and a member of the listed group
        dm_to(fake_slack, member, "INC-1")
    assert [(i.ref, i.channel) for i in incidents(runtime)] == [("INC-1", None)]
    assert SECURITY not in {c.params.get("channel") for c in fake_slack.named("chat.postMessage")}


def test_a_channel_without_the_bot_or_refusing_the_post_falls_back_to_dms(
    server, fake_slack, runtime
) -> None:
    private_channel(fake_slack, is_member=False)
    server.interaction(report_form("first"))
    dm_to(fake_slack, "USEC1", "INC-1")
    dm_to(fake_slack, "UALICE", "INC-1")  # the first report's messages are all out
    private_channel(fake_slack)
    fake_slack.fail_next("chat.postMessage", 200, body={"ok": False, "error": "not_in_channel"})
    server.interaction(report_form("second"))
    dm_to(fake_slack, "USEC2", "INC-2")
    assert "by direct message" in dm_to(fake_slack, "UALICE", "INC-2").params["text"]
    assert [i.thread_ts for i in incidents(runtime)] == [None, None]


def test_a_public_security_channel_never_gets_the_report(server, fake_slack, runtime) -> None:
    fake_slack.responses["conversations.info"] = lambda p: {
        "ok": True,
        "channel": {"id": SECURITY, "is_private": False, "is_member": True},
    }
    server.interaction(report_form())
    dm_to(fake_slack, "USEC1", "INC-1")
    wait_until(lambda: dm_to(fake_slack, "UALICE", "INC-1"))
    assert SECURITY not in {c.params.get("channel") for c in fake_slack.named("chat.postMessage")}
