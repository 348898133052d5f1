"""Slack is told only after the evidence is committed: what each message reports is already stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.runtime import Runtime
from core.models import EvidenceRequest, Submission
from tests.fake_slack import FakeSlack
from tests.slack_support import click, first_button, send_dm, wait_until


def _seen_when_posted(fake: FakeSlack, runtime: Runtime, seen: dict[str, Any]) -> None:
    """Record, at the moment of each chat.postMessage, what another connection can read."""

    def post(params: dict[str, Any]) -> dict[str, Any]:
        with runtime.db.session_scope() as session:
            seen[params["channel"]] = (
                [s.file_name for s in session.scalars(select(Submission))],
                [r.status for r in session.scalars(select(EvidenceRequest))],
            )
        return fake._default("chat.postMessage", params)

    fake.responses["chat.postMessage"] = post


def test_the_review_request_and_the_verdict_are_sent_after_their_commit(
    slack_app,
    fake_slack,
    registered,
) -> None:
    seen: dict[str, Any] = {}
    _seen_when_posted(fake_slack, registered, seen)
    fake_slack.add_file("F1", b"%PDF-1.4 signed", "review.pdf")
    send_dm(slack_app, "AC-01 the review", files=[{"id": "F1"}])
    review = fake_slack.wait_for_match("chat.postMessage", lambda c: c.params["channel"] == "CSEC")
    wait_until(
        lambda: {"CSEC", "DALICE"} <= set(seen)
    )  # each post's reading, taken before its answer
    # A review request sent from inside the write would find nothing committed yet.
    assert seen["CSEC"] == (["review.pdf"], ["submitted"])
    assert seen["DALICE"] == (["review.pdf"], ["submitted"])
    accept = first_button(review.params)
    click(
        slack_app,
        accept,
        user="USEC1",
        channel="CSEC",
        response_url=fake_slack.root + "/response/a",
    )
    told = fake_slack.wait_for_match("chat.postMessage", lambda c: c.params["channel"] == "UALICE")
    assert "was accepted" in told.params["text"]
    wait_until(lambda: "UALICE" in seen)
    assert seen["UALICE"] == (["review.pdf"], ["accepted"])
