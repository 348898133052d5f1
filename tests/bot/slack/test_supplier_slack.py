"""New-supplier requests and supplier files over signed HTTP against the fake Slack."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from bot.ids import Action, Block, Field, View
from core.suppliers.models import Supplier, SupplierAssurance, SupplierRequest
from tests.bot.slack.risk_support import press, risk_runtime
from tests.core.suppliers.support import import_suppliers
from tests.slack_support import SlackAppServer, assert_acked, send_dm, view_submission

NOW = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)


def _typed(**values: str) -> dict:  # type: ignore[type-arg]
    return {k: {Field.VALUE: {"type": "plain_text_input", "value": v}} for k, v in values.items()}


def test_a_request_is_approved_into_the_register(settings, fake_slack) -> None:  # type: ignore[no-untyped-def]
    runtime = risk_runtime(settings, fake_slack, slack_api_url=fake_slack.url)
    app = SlackAppServer(runtime)
    try:
        with time_machine.travel(NOW, tick=False):
            app.command(
                "supplier request", user="UALICE", response_url=fake_slack.root + "/response/1"
            )
            modal = fake_slack.wait_for("views.open")[0].params["view"]
            assert modal["callback_id"] == View.SUPPLIER_REQUEST
            empty = app.interaction(
                view_submission(
                    View.SUPPLIER_REQUEST,
                    _typed(**{Block.SUPPLIER_NAME: " ", Block.SUPPLIER_PURPOSE: "Analytics"}),
                ),
                expect=None,
            )
            assert_acked(empty)
            assert empty.view_errors() == {Block.SUPPLIER_NAME: "Give the supplier's name."}
            filed = app.interaction(
                view_submission(
                    View.SUPPLIER_REQUEST,
                    _typed(
                        **{
                            Block.SUPPLIER_NAME: "Acme Analytics",
                            Block.SUPPLIER_PURPOSE: "Product analytics <!channel>",
                            Block.SUPPLIER_DATA: "Usage events",
                        }
                    ),
                ),
                expect=None,
            )
            assert_acked(filed)
            posted = fake_slack.wait_for_match(
                "chat.postMessage", lambda c: c.params.get("channel") == "CSEC"
            )
            value = posted.params["blocks"][1]["elements"][0]["value"]
            # What anyone typed is shown as typed, never as a mention of the whole channel.
            assert (
                "Product analytics &lt;!channel&gt;" in posted.params["blocks"][0]["text"]["text"]
            )
            refused = press(app, fake_slack, Action.SUPPLIER_APPROVE, value, "UBOB")
            assert "Only the security team can approve suppliers" in refused["text"]
            assert_acked(app.interaction(_action(Action.SUPPLIER_APPROVE, value, "USEC1")))
            decision = fake_slack.wait_for("views.open", count=2)[1].params["view"]
            assert decision["private_metadata"] == f"{value}:approve"
            no_reason = app.interaction(
                view_submission(
                    View.SUPPLIER_DECISION,
                    _typed(**{Block.SUPPLIER_REASON: ""}),
                    user="USEC1",
                    metadata=decision["private_metadata"],
                ),
                expect=None,
            )
            assert no_reason.view_errors() == {
                Block.SUPPLIER_REASON: "Give the reason: it is kept with the decision."
            }
            decided = app.interaction(
                view_submission(
                    View.SUPPLIER_DECISION,
                    _typed(**{Block.SUPPLIER_REASON: "DPA signed"}),
                    user="USEC1",
                    metadata=decision["private_metadata"],
                ),
                expect=None,
            )
            assert_acked(decided)
            thread = fake_slack.wait_for_match(
                "chat.postMessage", lambda c: bool(c.params.get("thread_ts"))
            )
            assert "approved by <@USEC1>: DPA signed" in thread.params["text"]
            fake_slack.wait_for_match(
                "chat.postMessage",
                lambda c: c.params.get("channel") == "UALICE" and "approved" in c.params["text"],
            )
    finally:
        app.close()
    with runtime.db.session_scope() as session:
        request = session.scalars(select(SupplierRequest)).one()
        assert (request.status, request.reason, request.channel) == (
            "approved",
            "DPA signed",
            "CSEC",
        )
        supplier = session.get(Supplier, request.supplier_id)
        assert supplier is not None and supplier.name == "Acme Analytics"


def _action(action: str, value: str, user: str) -> dict:  # type: ignore[type-arg]
    from tests.slack_support import block_action

    return block_action(action, value, user=user, channel="CSEC")


def test_a_report_dmed_for_a_supplier_renews_its_assurance(settings, fake_slack) -> None:  # type: ignore[no-untyped-def]
    runtime = risk_runtime(settings, fake_slack, slack_api_url=fake_slack.url)
    import_suppliers(runtime.db)
    fake_slack.add_file("F1", b"%PDF iso certificate", "iso-2028.pdf")
    app = SlackAppServer(runtime)
    try:
        with time_machine.travel(NOW, tick=False):
            send_dm(
                app,
                "supplier SUP-PAYROLL iso27001 expires 2028-03-31",
                user="UALICE",
                files=[{"id": "F1"}],
                event_id="Ev1",
            )
            refused = fake_slack.wait_for_match(
                "chat.postEphemeral", lambda c: c.params.get("user") == "UALICE"
            )
            send_dm(
                app,
                "supplier PayrollCo iso27001 expires 2027-03-01",
                user="UBOB",
                files=[{"id": "F1"}],
                event_id="Ev2",
            )
            past = fake_slack.wait_for_match(
                "chat.postEphemeral", lambda c: c.params.get("user") == "UBOB"
            )
            send_dm(
                app,
                "supplier SUP-PAYROLL ISO 27001 certificate, expires 2028-03-31",
                user="UBOB",
                files=[{"id": "F1"}],
                event_id="Ev3",
            )
            kept = fake_slack.wait_for_match(
                "chat.postMessage", lambda c: "Kept" in c.params.get("text", "")
            )
    finally:
        app.close()
    assert "Only the owner of PayrollCo (<@UBOB>)" in refused.params["text"]
    assert "2027-03-01 is in the past" in past.params["text"]
    assert (
        "Kept iso-2028.pdf as PayrollCo's iso27001 evidence; it expires 2028-03-31"
        in kept.params["text"]
    )
    with runtime.db.session_scope() as session:
        supplier = session.scalars(select(Supplier).where(Supplier.ref == "SUP-PAYROLL")).one()
        assert supplier.assurance_expires == date(2028, 3, 31) and supplier.version == 2
        assert session.scalars(select(SupplierAssurance.file_name)).all() == ["iso-2028.pdf"]


def test_only_the_owner_marks_a_supplier_reviewed(settings, fake_slack) -> None:  # type: ignore[no-untyped-def]
    runtime = risk_runtime(settings, fake_slack, slack_api_url=fake_slack.url)
    import_suppliers(runtime.db)
    with runtime.db.session_scope() as session:
        aws = session.scalars(select(Supplier).where(Supplier.ref == "SUP-AWS")).one().id
    app = SlackAppServer(runtime)
    try:
        with time_machine.travel(NOW, tick=False):
            other = press(app, fake_slack, Action.SUPPLIER_REVIEWED, str(aws), "UBOB")
            done = press(app, fake_slack, Action.SUPPLIER_REVIEWED, str(aws), "U0OPSLEAD")
    finally:
        app.close()
    assert "Only the owner of Amazon Web Services (<@U0OPSLEAD>)" in other["text"]
    assert "reviewed by <@U0OPSLEAD>; next review 2028-03-15" in done["text"]
