"""Evidence entirely in Slack over HTTP: register row → file by DM → review → accepted; and every refusal."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from bot.ids import Action, Block, Field, View
from core import ledger
from core.models import Blob, EvidenceRequest, Submission
from tests.core.evidence.support import csv_rows
from tests.core.evidence.verify_support import run_verifier, witness
from tests.paths import EXAMPLES
from tests.slack_support import block_action, click, first_button, send_dm, wait_until

EXAMPLE = EXAMPLES / "register.csv"


def test_owner_goes_from_register_row_to_accepted_evidence_in_slack(
    slack_app, fake_slack, registered
) -> None:
    fake_slack.files["F1"] = (b"%PDF-1.4 access review Q4 signed", "access-review-q4.pdf")
    send_dm(slack_app, "here is the access review for AC-01", files=[{"id": "F1"}])
    review = fake_slack.wait_for("chat.postMessage", count=2)
    to_security = [c for c in review if c.params["channel"] == "CSEC"][0]
    confirmation = [c for c in review if c.params["channel"] == "DALICE"][0]
    assert "Evidence recorded for AC-01" in confirmation.params["text"]
    assert any(
        c.method == "GET /files/F1" and c.headers.get("Authorization") == "Bearer xoxb-test"
        for c in fake_slack.calls
    )
    accept = first_button(to_security.params)
    assert accept["action_id"] == Action.ACCEPT_EVIDENCE
    # Only the security team may accept.
    click(
        slack_app,
        accept,
        user="UALICE",
        channel="CSEC",
        response_url=fake_slack.root + "/response/a",
    )
    refusal = fake_slack.wait_for("response")[0]
    assert "Only the security team can accept evidence" in refusal.params["text"]
    click(
        slack_app,
        accept,
        user="USEC1",
        channel="CSEC",
        response_url=fake_slack.root + "/response/b",
    )
    fake_slack.wait_for("response", count=2)
    owner_dm = wait_until(
        lambda: [c for c in fake_slack.named("chat.postMessage") if c.params["channel"] == "UALICE"]
    )
    assert "was accepted" in owner_dm[0].params["text"]
    with registered.db.session_scope() as session:
        request = session.scalars(select(EvidenceRequest)).one()
        assert request.status == "accepted" and request.reviewed_by == "USEC1"
        submission = session.scalars(select(Submission)).one()
        blob = session.get(Blob, submission.file_sha256)
        assert blob is not None and blob.content.startswith(b"%PDF")
        assert submission.file_name == "access-review-q4.pdf" and not submission.on_behalf
        assert ledger.verify(db_session=session).ok
        kinds = [
            r.kind
            for r in session.scalars(select(ledger.LedgerRecord).order_by(ledger.LedgerRecord.seq))
        ]
        assert kinds[-2:] == ["evidence_submitted", "evidence_accepted"]


def test_same_file_for_same_control_is_recognised(slack_app, fake_slack, registered) -> None:
    fake_slack.files["F1"] = (b"same bytes", "a.pdf")
    send_dm(slack_app, "AC-01", files=[{"id": "F1"}], event_id="E1")
    fake_slack.wait_for("chat.postMessage", count=2)
    send_dm(slack_app, "AC-01 again", files=[{"id": "F1"}], event_id="E2")
    replies = fake_slack.wait_for("chat.postMessage", count=3)
    assert "not stored twice" in replies[-1].params["text"]
    with registered.db.session_scope() as session:
        assert len(session.scalars(select(Submission)).all()) == 1


def test_slash_evidence_with_link_and_crosswalk_id(slack_app, fake_slack, registered) -> None:
    slack_app.command(
        "evidence CC6.2 Q4 review done <https://drive.example.com/q4|export>",
        response_url=fake_slack.root + "/response/1",
    )
    reply = fake_slack.wait_for("response")[0]
    assert "Evidence recorded for AC-01" in reply.params["text"]
    with registered.db.session_scope() as session:
        submission = session.scalars(select(Submission)).one()
        assert submission.link == "https://drive.example.com/q4"


def test_submission_by_someone_else_is_recorded_on_behalf(
    slack_app, fake_slack, registered
) -> None:
    slack_app.command(
        "evidence AC-01 done by the deputy",
        user="UCAROL",
        response_url=fake_slack.root + "/response/1",
    )
    reply = fake_slack.wait_for("response")[0]
    assert "on behalf of the owner" in reply.params["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("evidence AC-1 the review", "I don't know a control called `AC-1`. Did you mean AC-01"),
        ("evidence AC-01", "Add the evidence after the control"),
        ("evidence", "Name the control, then the evidence"),
        ("evidence A.8.23 a note", "No control in the register implements A.8.23"),
    ],
)
def test_bad_submissions_get_clear_answers(
    slack_app, fake_slack, registered, text: str, expected: str
) -> None:
    slack_app.command(text, response_url=fake_slack.root + "/response/1")
    reply = fake_slack.wait_for("response")[0]
    assert expected in reply.params["text"]


def test_oversize_file_is_refused_with_the_limit(slack_app, fake_slack, registered) -> None:
    registered.settings = registered.settings.model_copy(update={"evidence_max_bytes": 10})
    fake_slack.files["FBIG"] = (b"x" * 11, "big.bin")
    send_dm(slack_app, "AC-01", files=[{"id": "FBIG"}])
    reply = fake_slack.wait_for("chat.postEphemeral")[0]
    assert "the limit is 10 bytes (EVIDENCE_MAX_BYTES)" in reply.params["text"]


def test_file_the_bot_cannot_download(slack_app, fake_slack, registered) -> None:
    send_dm(slack_app, "AC-01", files=[{"id": "FGONE"}])
    reply = fake_slack.wait_for("chat.postEphemeral")[0]
    assert "couldn't read that file from Slack (file_not_found)" in reply.params["text"]


def test_file_without_control_gets_suggestions_and_confirm(
    slack_app, fake_slack, registered
) -> None:
    with registered.db.session_scope() as session:
        from core.evidence.service import plan_requests

        plan_requests(
            __import__("core.models", fromlist=["utcnow"]).utcnow(),
            registered.settings.zone,
            db_session=session,
        )
    fake_slack.files["F2"] = (b"mfa screenshot", "mfa.png")
    send_dm(slack_app, "mfa enforcement screenshot", files=[{"id": "F2"}])
    ask = fake_slack.wait_for("chat.postMessage")[0]
    buttons = [b["accessory"] for b in ask.params["blocks"] if b.get("accessory")]
    assert buttons and all(b["action_id"] == Action.CONFIRM_CONTROL for b in buttons)
    chosen = [b for b in buttons if b["value"].endswith("|AC-02")][0]
    slack_app.interaction(
        block_action(
            Action.CONFIRM_CONTROL, chosen["value"], response_url=fake_slack.root + "/response/c"
        )
    )
    done = fake_slack.wait_for("response")[0]
    assert "Evidence recorded for AC-02" in done.params["text"]


def test_submit_button_modal_and_rejection_reopens(slack_app, fake_slack, registered) -> None:
    with registered.db.session_scope() as session:
        from core.evidence.service import plan_requests
        from core.models import utcnow

        plan_requests(utcnow(), registered.settings.zone, db_session=session)
        request_id = session.scalars(
            select(EvidenceRequest.id).order_by(EvidenceRequest.id)
        ).first()
    slack_app.interaction(block_action(Action.SUBMIT_EVIDENCE, str(request_id)))
    opened = fake_slack.wait_for("views.open")[0]
    assert opened.params["view"]["callback_id"] == View.EVIDENCE
    values = {
        Block.EVIDENCE_TEXT: {Field.VALUE: {"type": "plain_text_input", "value": "reviewed"}},
        Block.EVIDENCE_LINK: {
            Field.VALUE: {"type": "plain_text_input", "value": "https://x.example.com/r"}
        },
        Block.EVIDENCE_DATE: {Field.VALUE: {"type": "datepicker", "selected_date": "2026-01-15"}},
    }
    view = {
        "id": "V1",
        "type": "modal",
        "hash": "h",
        "callback_id": View.EVIDENCE,
        "private_metadata": str(request_id),
        "state": {"values": values},
    }
    slack_app.interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "UALICE"},
            "api_app_id": "A1",
            "view": view,
        }
    )
    fake_slack.wait_for("chat.postMessage", count=2)
    with registered.db.session_scope() as session:
        submission = session.scalars(select(Submission)).one()
        assert (
            submission.effective_date.isoformat() == "2026-01-15"
            and submission.recorded_at.year >= 2026
        )
    slack_app.interaction(
        block_action(Action.REJECT_EVIDENCE, str(request_id), user="USEC1", channel="CSEC")
    )
    fake_slack.wait_for("views.open", count=2)
    reject = {
        "id": "V2",
        "type": "modal",
        "hash": "h2",
        "callback_id": View.REJECT,
        "private_metadata": str(request_id),
        "state": {
            "values": {
                Block.REJECT_COMMENT: {
                    Field.VALUE: {"type": "plain_text_input", "value": "not signed"}
                }
            }
        },
    }
    slack_app.interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "USEC1"},
            "api_app_id": "A1",
            "view": reject,
        }
    )
    owner = wait_until(
        lambda: [
            c
            for c in fake_slack.named("chat.postMessage")
            if c.params["channel"] == "UALICE" and "rejected" in c.params["text"]
        ]
    )
    assert "not signed" in owner[0].params["text"]
    with registered.db.session_scope() as session:
        assert session.get(EvidenceRequest, request_id).status == "rejected"  # type: ignore[union-attr]


def test_export_is_refused_to_non_members_and_dm_ed_to_the_team(
    slack_app, fake_slack, registered, tmp_path
) -> None:
    slack_app.command("export", user="UALICE", response_url=fake_slack.root + "/response/1")
    assert "Only the security team" in fake_slack.wait_for("response")[0].params["text"]
    slack_app.command(
        "evidence AC-01 quarterly review done",
        user="UALICE",
        response_url=fake_slack.root + "/response/2",
    )
    fake_slack.wait_for("response", count=2)
    with registered.db.session_scope() as session:
        seq, head = witness(session)
    slack_app.command("export", user="USEC1", response_url=fake_slack.root + "/response/3")
    done = fake_slack.wait_for("response", count=3)[2]
    assert "Export sent to you by DM" in done.params["text"]
    upload = fake_slack.named("upload")[0]
    archive = zipfile.ZipFile(
        io.BytesIO(upload.params["_raw"][upload.params["_raw"].index(b"PK") :])
    )
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["counts"]["submissions"] == 1
    # The witness post is listed with the permalink Slack gave, and the ZIP verifies on its own.
    (row,) = csv_rows(archive, "witnesses.csv")
    assert (row["seq"], row["hash"]) == (str(seq), head)
    assert row["permalink"] == "https://fake.slack.test/archives/CSEC/p1700000001000100"
    (tmp_path / "export.zip").write_bytes(
        upload.params["_raw"][upload.params["_raw"].index(b"PK") :]
    )
    verified = run_verifier(tmp_path / "export.zip")
    assert verified.returncode == 0, verified.stdout


def test_dm_with_a_link_naming_a_control_is_evidence(slack_app, fake_slack, registered) -> None:
    send_dm(slack_app, "Q4 access review for AC-01: <https://drive.example.com/q4>")
    reply = fake_slack.wait_for("chat.postMessage", count=2)
    assert any("Evidence recorded for AC-01" in c.params["text"] for c in reply)
    with registered.db.session_scope() as session:
        assert session.scalars(select(Submission)).one().link == "https://drive.example.com/q4"


def test_dm_with_a_link_but_no_control_is_a_question(slack_app, fake_slack, registered) -> None:
    send_dm(slack_app, "does <https://example.com/policy> cover MFA?")
    # The reply in the DM itself: a review request to the security channel would also be a
    # chat.postMessage, and its text never says "Evidence recorded".
    reply = fake_slack.wait_for_match("chat.postMessage", lambda c: c.params["channel"] == "DALICE")
    assert "Evidence recorded" not in reply.params["text"]
    with registered.db.session_scope() as session:
        assert session.scalars(select(Submission)).all() == []


def test_question_with_a_link_naming_a_control_is_answered_not_filed(
    slack_app, fake_slack, registered
) -> None:
    from core.evidence.service import plan_requests
    from core.models import utcnow

    with registered.db.session_scope() as session:
        plan_requests(utcnow(), registered.settings.zone, db_session=session)
        before = {
            r.id: (r.status, r.next_nudge_at) for r in session.scalars(select(EvidenceRequest))
        }
    send_dm(slack_app, "is <https://drive.example.com/q4> enough for AC-01?")
    reply = fake_slack.wait_for("chat.postMessage")[0]
    assert reply.params["channel"] == "DALICE"
    assert "Evidence recorded" not in reply.params["text"]
    with registered.db.session_scope() as session:
        assert session.scalars(select(Submission)).all() == []
        after = {
            r.id: (r.status, r.next_nudge_at) for r in session.scalars(select(EvidenceRequest))
        }
    assert after == before  # the owner's reminders carry on


@pytest.mark.parametrize("typed", ["%", "AC_01", "ac-0%"])
def test_control_typed_as_a_pattern_is_unknown(
    slack_app, fake_slack, registered, typed: str
) -> None:
    slack_app.command(f"evidence {typed} junk", response_url=fake_slack.root + "/response/1")
    reply = fake_slack.wait_for("response")[0]
    assert f"I don't know a control called `{typed}`" in reply.params["text"]
    with registered.db.session_scope() as session:
        assert session.scalars(select(Submission)).all() == []


def _modal(callback_id: str, request_id: int, user: str, values: dict) -> dict:  # type: ignore[type-arg]
    view = {
        "id": f"V{callback_id}{request_id}",  # a new modal each time: a resend would be ignored
        "type": "modal",
        "hash": "h",
        "callback_id": callback_id,
        "private_metadata": str(request_id),
        "state": {"values": values},
    }
    return {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user}, "view": view}


def _accepted_ac01(runtime) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """AC-01's current request, planned and marked accepted: its ID and period."""
    from core.evidence.service import plan_requests
    from core.models import OrgControl, utcnow

    with runtime.db.session_scope() as session:
        plan_requests(utcnow(), runtime.settings.zone, db_session=session)
        ac01 = session.scalars(select(OrgControl.id).where(OrgControl.ref == "AC-01")).one()
        request = session.scalars(
            select(EvidenceRequest).where(EvidenceRequest.control_id == ac01)
        ).one()
        request.status = "accepted"
        return request.id, request.period


def test_modals_that_can_no_longer_be_done_stay_open_with_the_reason(
    slack_app, fake_slack, registered
) -> None:  # type: ignore[no-untyped-def]
    request_id, period = _accepted_ac01(registered)
    text = {Block.EVIDENCE_TEXT: {Field.VALUE: {"type": "plain_text_input", "value": "done"}}}
    # Someone accepted the request while the owner was writing: the modal says so, open.
    refused = slack_app.interaction(_modal(View.EVIDENCE, request_id, "UALICE", text))
    assert list(refused.view_errors().values()) == [
        f"Evidence for AC-01 ({period}) is already accepted; nothing more is needed."
    ]
    gone = slack_app.interaction(_modal(View.EVIDENCE, 987654, "UALICE", text))
    assert list(gone.view_errors().values()) == ["That evidence request no longer exists."]
    comment = {Block.REJECT_COMMENT: {Field.VALUE: {"type": "plain_text_input", "value": "no"}}}
    late = slack_app.interaction(_modal(View.REJECT, request_id, "USEC1", comment))
    assert list(late.view_errors().values()) == ["This request is accepted, not awaiting review."]
    with registered.db.session_scope() as session:
        assert session.scalars(select(Submission)).all() == []
        assert session.get(EvidenceRequest, request_id).status == "accepted"  # type: ignore[union-attr]
    assert fake_slack.named("chat.postMessage") == []


def test_evidence_for_a_request_already_accepted_is_not_needed(
    slack_app, fake_slack, registered
) -> None:  # type: ignore[no-untyped-def]
    _, period = _accepted_ac01(registered)
    slack_app.command("evidence AC-01 done again", response_url=fake_slack.root + "/response/1")
    reply = fake_slack.wait_for("response")[0].params["text"]
    assert f"Evidence for AC-01 ({period}) is already accepted; nothing more is needed." in reply
    with registered.db.session_scope() as session:
        assert session.scalars(select(Submission)).all() == []
