"""Access reviews in Slack over signed HTTP: start form, paged DMs, decisions, forged clicks, removals."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.blocks.messages import render
from bot.ids import Action, Block, Field, View
from core.access_reviews import removals
from core.access_reviews.models import AccessAccount, AccessRemoval, AccessReviewItem
from core.config import Settings
from jobs.delivery import Pacer, deliver
from tests.core.access_reviews.support import SLACK, import_github, organisation
from tests.fakes import FakeEmbedder
from tests.slack_support import SlackAppServer, assert_acked, block_action
from tests.slack_support import view_submission as _view_submission

_hashes = itertools.count()


def view_submission(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """A view submission with its own hash (Slack's idempotency key includes it)."""
    return _view_submission(*args, view_hash=f"h{next(_hashes)}", **kwargs)


@pytest.fixture
def access_app(slack_settings: Settings) -> Iterator[SlackAppServer]:
    """The real app over HTTP on the fake Slack; no search model (these handlers never answer)."""
    from bot.runtime import Runtime

    server = SlackAppServer(Runtime(slack_settings, embedder=FakeEmbedder()))
    yield server
    server.close()


def _workspace(app: SlackAppServer, fake_slack: Any) -> None:
    for member in SLACK:
        fake_slack.add_user(
            member["id"], email=member["profile"]["email"], deleted=member.get("deleted", False)
        )
    with app.runtime.db.session_scope() as session:
        organisation(session)
        import_github(session)


def _start_form(
    user: str = "USEC1", systems: str = "github", due: str = "2099-01-31"
) -> dict[str, Any]:
    values = {
        Block.ACCESS_SYSTEMS: {Field.VALUE: {"type": "plain_text_input", "value": systems}},
        Block.ACCESS_REVIEWER: {
            Field.VALUE: {"type": "radio_buttons", "selected_option": {"value": "manager"}}
        },
        Block.ACCESS_DUE: {Field.VALUE: {"type": "datepicker", "selected_date": due}},
    }
    blocks = (Block.ACCESS_SYSTEMS, Block.ACCESS_REVIEWER, Block.ACCESS_DUE)
    return view_submission(View.ACCESS_START, values, user=user, input_blocks=blocks)


def _deliver(app: SlackAppServer, fake_slack: Any) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    deliver(
        app.runtime.db,
        client,
        worker="t",
        pacer=Pacer(100),
        render=lambda k, c: render(k, c, zone=UTC),
    )


def _item(app: SlackAppServer, account: str) -> int:
    with app.runtime.db.session_scope() as session:
        return int(
            session.scalars(
                select(AccessReviewItem.id)
                .join(AccessAccount, AccessAccount.id == AccessReviewItem.account_id)
                .where(AccessAccount.account_id == account)
            ).one()
        )


def _click(app: SlackAppServer, fake_slack: Any, action: str, value: str, user: str) -> None:
    payload = block_action(
        action,
        value,
        user=user,
        channel=f"D{user[1:]}",
        response_url=fake_slack.root + "/response/x",
    )
    assert_acked(app.interaction(payload, expect=None))


def _decide(app: SlackAppServer, fake_slack: Any, action: str, value: str, user: str) -> None:
    """A click that succeeds: its page is redrawn (the positive signal that it was recorded)."""
    count = len(fake_slack.named("chat.update")) + 1
    _click(app, fake_slack, action, value, user)
    fake_slack.wait_for("chat.update", count)


def _refusal(app: SlackAppServer, fake_slack: Any, action: str, value: str, user: str) -> str:
    count = len(fake_slack.named("response")) + 1
    _click(app, fake_slack, action, value, user)
    return str(fake_slack.wait_for("response", count=count)[count - 1].params["text"])


def _updates(fake_slack: Any, user: str, count: int) -> dict[str, Any]:
    calls = [
        c
        for c in fake_slack.wait_for("chat.update", count)
        if c.params["channel"] == f"D{user[1:]}"
    ]
    return calls[-1].params


def test_review_started_in_slack_decided_with_refusals_and_removals_followed(
    access_app: SlackAppServer, fake_slack: Any
) -> None:
    app = access_app
    _workspace(app, fake_slack)
    refused = app.interaction(_start_form(user="UBOB"))
    assert "Only the security team" in str(refused.view_errors())
    assert "aws has no accounts yet" in str(
        app.interaction(_start_form(systems="github,aws")).view_errors()
    )
    assert "Pick a date in the future" in str(
        app.interaction(_start_form(due="2020-01-01")).view_errors()
    )
    assert app.interaction(_start_form()).view_errors() == {}
    started = fake_slack.wait_for_match(
        "chat.postMessage", lambda c: c.params.get("channel") == "USEC1"
    )
    assert "Access review #1 started: 7 accounts" in started.params["text"]
    _deliver(app, fake_slack)
    dms = {c.params["channel"]: c.params for c in fake_slack.named("chat.postMessage")}
    assert "*1* account(s) to review" in str(dms["UCAROL"]["blocks"])

    # carol opens her page: bob's privileged account needs a reason to keep.
    _click(app, fake_slack, Action.ACCESS_OPEN, "1:0", "UCAROL")
    page = _updates(fake_slack, "UCAROL", 1)
    assert "Keep (give a reason)" in str(page["blocks"]) and len(page["blocks"]) <= 50
    bob = _item(app, "bob-gh")
    _click(app, fake_slack, Action.ACCESS_KEEP, str(bob), "UCAROL")
    modal = fake_slack.wait_for("views.open")[0].params["view"]
    reason = {Block.ACCESS_REASON: {Field.VALUE: {"type": "plain_text_input", "value": ""}}}
    empty = view_submission(
        View.ACCESS_REASON,
        reason,
        user="UCAROL",
        metadata=modal["private_metadata"],
        input_blocks=(Block.ACCESS_REASON,),
    )
    assert "needs a reason" in app.interaction(empty).view_errors()[Block.ACCESS_REASON]
    reason[Block.ACCESS_REASON][Field.VALUE]["value"] = "on-call admin"
    given = view_submission(
        View.ACCESS_REASON, reason, user="UCAROL", metadata=modal["private_metadata"]
    )
    assert app.interaction(given).view_errors() == {}
    assert ":white_check_mark: kept" in str(_updates(fake_slack, "UCAROL", 2)["blocks"])

    # A forged click on another reviewer's item, and a self-review, are refused.
    alice = _item(app, "alice-gh")
    assert "assigned to another reviewer" in _refusal(
        app, fake_slack, Action.ACCESS_REVOKE, str(alice), "UCAROL"
    )
    assert "your own account" in _refusal(app, fake_slack, Action.ACCESS_KEEP, str(alice), "UALICE")

    # dave keeps the rest in bulk (never olga's privileged account) and revokes that one.
    _decide(app, fake_slack, Action.ACCESS_KEEP_ALL, "1", "UDAVE")
    _decide(app, fake_slack, Action.ACCESS_REVOKE, str(_item(app, "olga-gh")), "UDAVE")
    # olga decides the flagged accounts.
    for account, action in (("eve-gh", Action.ACCESS_REVOKE), ("ghost", Action.ACCESS_REVOKE)):
        _decide(app, fake_slack, action, str(_item(app, account)), "UOLGA")
    with app.runtime.db.session_scope() as session:
        decided = {i.id: i.decision for i in session.scalars(select(AccessReviewItem))}
    assert decided[alice] == "keep" and decided[bob] == "keep"
    assert sum(d == "revoke" for d in decided.values()) == 3

    _deliver(app, fake_slack)
    task = next(
        c.params
        for c in fake_slack.named("chat.postMessage")
        if "Please remove" in c.params["text"]
    )
    removal = [e for b in task["blocks"] if b["type"] == "actions" for e in b["elements"]][0]
    assert "Only the system owner" in _refusal(
        app, fake_slack, Action.ACCESS_REMOVED, removal["value"], "UBOB"
    )
    _click(app, fake_slack, Action.ACCESS_REMOVED, removal["value"], task["channel"])
    opened = fake_slack.wait_for("views.open", 2)[1].params["view"]
    fake_slack.add_file("FREM", b"removed screenshot", "removed.png", user=task["channel"])
    note = {
        Block.ACCESS_NOTE: {Field.VALUE: {"type": "plain_text_input", "value": "ticket IT-42"}},
        Block.ACCESS_FILE: {Field.VALUE: {"type": "file_input", "files": [{"id": "FREM"}]}},
    }
    updates = len(fake_slack.named("chat.update")) + 1
    submitted = view_submission(
        View.ACCESS_REMOVED, note, user=task["channel"], metadata=opened["private_metadata"]
    )
    assert app.interaction(submitted).view_errors() == {}
    confirmed = fake_slack.wait_for("chat.update", updates)[updates - 1].params
    assert "recorded as done" in confirmed["text"]
    with app.runtime.db.session_scope() as session:
        done = session.get(AccessRemoval, int(removal["value"]))
        assert done is not None and (done.status, done.note, done.done_by) == (
            "done",
            "ticket IT-42",
            "UOLGA",
        )
        assert done.file_sha256 == hashlib.sha256(b"removed screenshot").hexdigest()
    assert "cannot close" in _command(app, fake_slack, "access-review close 1")
    with app.runtime.db.session_scope() as session:
        for r in removals.open_removals(db_session=session):
            removals.accept_exception(
                r.id, by="USEC1", reason="kept until migration", db_session=session
            )
    # svc-deploy is the last undecided account (olga's).
    _decide(app, fake_slack, Action.ACCESS_KEEP, str(_item(app, "svc-deploy")), "UOLGA")
    assert "Access review 1 closed" in _command(app, fake_slack, "access-review close 1")
    assert "is closed" in _refusal(app, fake_slack, Action.ACCESS_KEEP_ALL, "1", "UDAVE")


def _command(app: SlackAppServer, fake_slack: Any, text: str) -> str:
    count = len(fake_slack.named("response")) + 1
    app.command(text, user="USEC1", response_url=fake_slack.root + "/response/c")
    return str(fake_slack.wait_for("response", count=count)[count - 1].params["text"])


def test_app_home_shows_what_is_left(access_app: SlackAppServer, fake_slack: Any) -> None:
    _workspace(access_app, fake_slack)
    assert access_app.interaction(_start_form()).view_errors() == {}
    fake_slack.wait_for_match("chat.postMessage", lambda c: c.params.get("channel") == "USEC1")
    access_app.event({"type": "app_home_opened", "user": "UDAVE", "tab": "home"}, event_id="EvHome")
    view = fake_slack.wait_for("views.publish")[0].params["view"]
    assert "*Access review #1:* 3 account(s) left to decide" in str(view["blocks"])
    assert "Nothing waiting for you" not in str(view["blocks"])
