"""Risk review cards over signed HTTP: still accurate, an update, acceptances and refused clicks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from bot import risk_flow
from bot.ids import Action, Block, Field, View
from core.models import LedgerRecord
from core.risks.models import Risk, RiskAcceptance, RiskReview
from tests.bot.slack.risk_support import press, risk_id, risk_runtime
from tests.slack_support import SlackAppServer, assert_acked, view_submission

NOW = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)


def _buttons(blocks: list[dict]) -> dict[str, str]:  # type: ignore[type-arg]
    return {
        e["action_id"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]
    }


def _kinds(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    with runtime.db.session_scope() as session:
        return list(session.scalars(select(LedgerRecord.kind).order_by(LedgerRecord.seq)))


def _update_values(likelihood: str) -> dict:  # type: ignore[type-arg]
    def typed(value: str) -> dict:  # type: ignore[type-arg]
        return {Field.VALUE: {"type": "plain_text_input", "value": value}}

    return {
        Block.RISK_LIKELIHOOD: typed(likelihood),
        Block.RISK_IMPACT: typed("4"),
        Block.RISK_TREATMENT: {
            Field.VALUE: {"type": "static_select", "selected_option": {"value": "mitigate"}}
        },
        Block.RISK_PLAN: typed("2027-04-30 Remote wipe for every laptop"),
        Block.RISK_RESIDUAL_LIKELIHOOD: typed("1"),
        Block.RISK_RESIDUAL_IMPACT: typed("3"),
    }


def test_review_cycle_accurate_update_and_stale_click(settings, fake_slack) -> None:  # type: ignore[no-untyped-def]
    runtime = risk_runtime(settings, fake_slack, slack_api_url=fake_slack.url)
    rid = risk_id(runtime, "R-01")
    app = SlackAppServer(runtime)
    try:
        with time_machine.travel(NOW, tick=False):
            buttons = _buttons(risk_flow.card(runtime, rid))
            assert set(buttons) == {Action.RISK_ACCURATE, Action.RISK_UPDATE}
            v1 = buttons[Action.RISK_ACCURATE]
            other = press(app, fake_slack, Action.RISK_ACCURATE, v1, "UBOB")
            assert "Only the owner of R-01 (<@UALICE>)" in other["text"]
            forged = press(app, fake_slack, Action.RISK_ACCURATE, "R-01", "UALICE")
            assert "That button no longer works" in forged["text"]
            done = press(app, fake_slack, Action.RISK_ACCURATE, v1, "UALICE")
            assert (
                "R-01 recorded as still accurate by <@UALICE>; next review 2027-06-02"
                in done["text"]
            )

            assert_acked(app.interaction(_click(Action.RISK_UPDATE, v1, "UALICE", fake_slack)))
            modal = fake_slack.wait_for("views.open")[0].params["view"]
            assert modal["callback_id"] == View.RISK_UPDATE and modal["private_metadata"] == v1
            bad = app.interaction(
                view_submission(View.RISK_UPDATE, _update_values("9"), metadata=v1), expect=None
            )
            assert_acked(bad)
            assert bad.view_errors() == {Block.RISK_LIKELIHOOD: "Use a whole number from 1 to 5."}
            good = app.interaction(
                view_submission(View.RISK_UPDATE, _update_values("2"), metadata=v1), expect=None
            )
            assert_acked(good)
            assert good.view_errors() == {}
            saved = fake_slack.wait_for_match(
                "chat.postMessage", lambda c: "saved as version 2" in c.params.get("text", "")
            )
            assert saved.params["channel"] == "UALICE"

            stale = press(app, fake_slack, Action.RISK_ACCURATE, v1, "UALICE")
            assert "you saw version 1, it is now at version 2" in stale["text"]
            assert stale["replace_original"] in (True, "true")
            assert _buttons(stale["blocks"])[Action.RISK_ACCURATE] == f"{rid}:2"
            # The Update modal of version 1 submitted now: refused in the modal, version 2 DMed.
            late = app.interaction(
                view_submission(View.RISK_UPDATE, _update_values("5"), metadata=v1), expect=None
            )
            assert_acked(late)
            assert "it is now at version 2" in late.view_errors()[Block.RISK_LIKELIHOOD]
            newer = fake_slack.wait_for_match(
                "chat.postMessage", lambda c: "you saw version 1" in c.params.get("text", "")
            )
            assert _buttons(newer.params["blocks"])[Action.RISK_ACCURATE] == f"{rid}:2"
    finally:
        app.close()
    with runtime.db.session_scope() as session:
        risk = session.get(Risk, rid)
        assert risk is not None and (risk.version, risk.likelihood, risk.residual_impact) == (
            2,
            2,
            3,
        )
        outcomes = session.scalars(select(RiskReview.outcome).order_by(RiskReview.id)).all()
        assert outcomes == ["accurate", "updated"]
    assert _kinds(runtime)[-3:] == ["risk_review", "risk_change", "risk_review"]


def _click(action: str, value: str, user: str, fake_slack) -> dict:  # type: ignore[no-untyped-def,type-arg]
    from tests.slack_support import block_action

    return block_action(action, value, user=user, response_url=fake_slack.root + "/response/u")


def test_acceptance_by_owner_then_security_approval_and_refusals(settings, fake_slack) -> None:  # type: ignore[no-untyped-def]
    runtime = risk_runtime(
        settings, fake_slack, slack_api_url=fake_slack.url, risk_approval_score=8
    )
    rid = risk_id(runtime, "R-02")  # accept, residual 2 x 5 = 10: sign-off and approval
    app = SlackAppServer(runtime)
    try:
        with time_machine.travel(NOW, tick=False):
            value = _buttons(risk_flow.card(runtime, rid))[Action.RISK_ACCEPT]
            refused = press(app, fake_slack, Action.RISK_ACCEPT, value, "UBOB")
            assert "Only the owner of R-02 (<@U0OPSLEAD>) can accept it" in refused["text"]
            early = press(app, fake_slack, Action.RISK_ACCEPT, value, "USEC1")
            assert "accepts it first" in early["text"]
            owner = press(app, fake_slack, Action.RISK_ACCEPT, value, "U0OPSLEAD")
            assert "awaiting a security-team approval" in owner["text"]
            asked = fake_slack.wait_for_match(
                "chat.postMessage", lambda c: c.params.get("channel") == "CSEC"
            )
            assert _buttons(asked.params["blocks"]) == {Action.RISK_ACCEPT: value}
            approved = press(app, fake_slack, Action.RISK_ACCEPT, value, "USEC1")
            assert "fully accepted" in approved["text"]
            again = press(app, fake_slack, Action.RISK_ACCEPT, value, "USEC1")
            assert "already fully accepted" in again["text"]
    finally:
        app.close()
    with runtime.db.session_scope() as session:
        accepted = session.scalars(select(RiskAcceptance)).one()
        assert (accepted.accepted_by, accepted.approved_by) == ("U0OPSLEAD", "USEC1")
    assert _kinds(runtime)[-4:] == [
        "risk_acceptance",
        "risk_review",
        "risk_acceptance",
        "risk_review",
    ]


def test_risks_command_for_the_security_team_only(settings, fake_slack) -> None:  # type: ignore[no-untyped-def]
    runtime = risk_runtime(settings, fake_slack, slack_api_url=fake_slack.url)
    app = SlackAppServer(runtime)
    try:
        # Imported on 2026-12-01; are quarterly: overdue after 2027-03-01.
        with time_machine.travel(NOW, tick=False):
            app.command("risks", user="USEC1", response_url=fake_slack.root + "/response/1")
            reply = fake_slack.wait_for("response")[0].params
            app.command("risks", user="UALICE", response_url=fake_slack.root + "/response/2")
            refused = fake_slack.wait_for("response", count=2)[1].params
    finally:
        app.close()
    text = reply["text"]
    top = text.split("*Overdue*")[0]
    assert top.index("R-02") < top.index("R-03") < top.index("R-01")
    assert "R-02 Cloud provider outage: 10 (high), accept, owner <@U0OPSLEAD>" in text
    overdue = text.split("*Overdue*")[1]
    assert "review of R-01 Stolen staff laptop was due 2027-03-01" in overdue
    assert "R-03 action 'Phishing-resistant MFA for admins' was due 2027-01-31" in overdue
    assert "R-02" not in overdue
    assert "Only the security team" in json.dumps(refused)


def test_only_the_owner_marks_a_treatment_action_done(settings, fake_slack) -> None:  # type: ignore[no-untyped-def]
    from core.risks.models import RiskAction

    runtime = risk_runtime(settings, fake_slack, slack_api_url=fake_slack.url)
    with runtime.db.session_scope() as session:
        action = (
            session.scalars(select(RiskAction).where(RiskAction.text.like("Enforce%"))).one().id
        )
    app = SlackAppServer(runtime)
    try:
        other = press(app, fake_slack, Action.RISK_ACTION_DONE, str(action), "UBOB")
        done = press(app, fake_slack, Action.RISK_ACTION_DONE, str(action), "UALICE")
        again = press(app, fake_slack, Action.RISK_ACTION_DONE, str(action), "UALICE")
    finally:
        app.close()
    assert "Only the owner of R-01" in other["text"]
    assert "'Enforce disk encryption on every laptop' marked done by <@UALICE>" in done["text"]
    assert "already done" in again["text"]
