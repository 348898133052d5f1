"""Slack answering 5xx or slowly: answers are retried with backoff, and the ledger tells the truth."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import ledger
from core.models import LedgerRecord
from tests.slack_support import fast_app, wait_until


def _mention(slack_app, text: str, event_id: str) -> None:  # type: ignore[no-untyped-def]
    event = {"type": "app_mention", "user": "UALICE", "channel": "CGEN", "ts": "5.1", "text": text}
    slack_app.event(event, event_id=event_id)  # asserts 200 within Slack's 3 s


@pytest.fixture
def slack_app(slack_settings):  # type: ignore[no-untyped-def]
    """The app on the fake Slack with the fake embedder (these tests are about Slack's faults)."""
    server = fast_app(slack_settings)
    yield server
    server.close()


def test_an_answer_rides_out_a_few_seconds_of_500s(slack_app, fake_slack) -> None:
    fake_slack.outage("chat.postMessage", 3.0, status=500)
    _mention(slack_app, "<@UBOT> what does clause 7.2 require?", "EvOut1")
    answered = wait_until(lambda: fake_slack.history.get("CGEN"), timeout=30)
    assert answered[0]["text"]
    failed = [c for c in fake_slack.named("chat.postMessage") if c.params.get("channel") == "CGEN"]
    assert len(failed) >= 2  # at least one 500 was retried, not dropped
    with slack_app.runtime.db.session_scope() as session:
        kinds = session.scalars(select(LedgerRecord.kind)).all()
    assert ledger.ANSWER in kinds and ledger.ANSWER_UNDELIVERED not in kinds


def test_an_answer_slack_never_accepts_is_recorded_as_undelivered(slack_app, fake_slack) -> None:
    fake_slack.outage("chat.postMessage", 3600, status=502)
    _mention(slack_app, "<@UBOT> what does clause 7.2 require?", "EvOut2")

    def undelivered() -> list[LedgerRecord]:
        with slack_app.runtime.db.session_scope() as session:
            return list(
                session.scalars(
                    select(LedgerRecord).where(LedgerRecord.kind == ledger.ANSWER_UNDELIVERED)
                )
            )

    record = wait_until(undelivered, timeout=60)[0]
    assert '"reason":"SlackApiError' in record.payload
    # Five tries (the first and four retries with backoff), not one.
    tries = [c for c in fake_slack.named("chat.postMessage") if c.params.get("channel") == "CGEN"]
    assert len(tries) == 5
