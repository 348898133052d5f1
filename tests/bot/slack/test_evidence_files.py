"""Evidence files by DM over signed HTTP: the token stays in Slack, every file is accounted for, slow ones wait apart."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.slack_files import FileHosts
from core.models import Blob, Submission
from tests.fake_slack import FakeSlack
from tests.slack_support import send_dm, wait_until

PDF = b"%PDF-1.4 access review, signed"


def _stored(runtime) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with runtime.db.session_scope() as session:
        return (
            session.scalar(select(func.count()).select_from(Submission)) or 0,
            session.scalar(select(func.count()).select_from(Blob)) or 0,
        )


def _told(fake: FakeSlack) -> str:
    """What the person was told in the DM (an ephemeral refusal or a reply)."""
    calls = wait_until(
        lambda: [
            c
            for c in fake.calls
            if c.method in {"chat.postEphemeral", "chat.postMessage"}
            and c.params.get("channel") in {"DALICE", "UALICE"}
        ]
    )
    return str(calls[0].params["text"])


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://files.slack.com/files-pri/T1-F1/download/a.pdf", True),
        ("https://files-origin.slack.com/files-pri/T1-F1/a.pdf", True),
        ("https://FILES.SLACK.COM:443/files-pri/T1-F1/a.pdf", True),
        ("http://files.slack.com/files-pri/T1-F1/a.pdf", False),
        ("https://files.slack.com:8443/files-pri/T1-F1/a.pdf", False),
        ("https://files.slack.com.evil.example/a.pdf", False),
        ("https://files.slack.com@evil.example/a.pdf", False),
        ("https://evil.example\\@files.slack.com/a.pdf", False),
        ("https://evil.example/#files.slack.com", False),
        ("https://slack.com/files/a.pdf", False),
        ("file:///etc/passwd", False),
        ("ftp://files.slack.com/a.pdf", False),
        ("//files.slack.com/a.pdf", False),
    ],
)
def test_the_token_goes_only_to_slacks_file_hosts(url: str, allowed: bool) -> None:
    assert FileHosts.for_api("https://slack.com/api/").allows(url) is allowed


def test_a_test_server_allows_its_own_origin_only() -> None:
    hosts = FileHosts.for_api("http://127.0.0.1:8123/api/")
    assert hosts.allows("http://127.0.0.1:8123/files/F1")
    assert not hosts.allows("http://127.0.0.1:8124/files/F1")
    assert not hosts.allows("https://127.0.0.1:8123/files/F1")
    assert not hosts.allows("https://files.slack.com/files-pri/T1-F1/a.pdf")


def test_a_redirect_on_the_same_origin_keeps_the_token(slack_app, fake_slack, registered) -> None:  # noqa: F811
    fake_slack.add_file("F1", PDF, "review.pdf", redirect=f"{fake_slack.root}/files/F1B")
    fake_slack.add_file("F1B", PDF, "review.pdf")
    send_dm(slack_app, "AC-01 the review", files=[{"id": "F1"}])
    assert "Evidence recorded for AC-01" in _told(fake_slack)
    gets = [c for c in fake_slack.calls if c.method.startswith("GET /files/")]
    assert [c.method for c in gets] == ["GET /files/F1", "GET /files/F1B"]
    assert all(c.headers.get("Authorization") == "Bearer xoxb-test" for c in gets)
    assert _stored(registered) == (1, 1)


def test_a_redirect_to_another_origin_is_refused_and_never_contacted(
    slack_app,
    fake_slack,
    registered,
) -> None:
    other = FakeSlack().start()
    try:
        other.add_file("F1", PDF, "review.pdf")
        fake_slack.add_file("F1", PDF, "review.pdf", redirect=f"{other.root}/files/F1")
        send_dm(slack_app, "AC-01 the review", files=[{"id": "F1"}])
        told = _told(fake_slack)
        assert f"redirected to {other.root}" in told and "did not follow it" in told
        assert other.calls == []  # not one request, so no token either
    finally:
        other.stop()
    assert _stored(registered) == (0, 0)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("file:///etc/passwd", "file://"),
        ("http://evil.example/files/F1", "http://evil.example"),
        ("https://files.slack.com/files-pri/T1-F1/a.pdf", "https://files.slack.com"),
        ("ftp://127.0.0.1/a.pdf", "ftp://127.0.0.1"),
    ],
)
def test_a_link_outside_the_file_hosts_is_refused_before_any_request(
    slack_app,
    fake_slack,
    registered,
    url: str,
    origin: str,
) -> None:
    fake_slack.add_file("F1", PDF, "passwd", url=url)
    send_dm(slack_app, "AC-01", files=[{"id": "F1"}])
    told = _told(fake_slack)
    assert f"I won't fetch passwd from {origin}" in told and "never leaves Slack" in told
    assert not [c for c in fake_slack.calls if c.method.startswith("GET ")]
    assert _stored(registered) == (0, 0)


def test_a_sign_in_page_instead_of_the_file_is_not_stored(
    slack_app,
    fake_slack,
    registered,
) -> None:
    fake_slack.add_file(
        "F1",
        PDF,
        "review.pdf",
        mimetype="application/pdf",
        content_type="text/html",
        body=b"<!doctype html><title>Sign in to Slack</title>",
    )
    send_dm(slack_app, "AC-01", files=[{"id": "F1"}])
    told = _told(fake_slack)
    assert "a web page (a sign-in page?) instead of review.pdf (application/pdf)" in told
    assert "nothing was stored" in told
    assert _stored(registered) == (0, 0)


def test_a_file_served_as_its_mimetype_is_stored_with_it(
    slack_app,
    fake_slack,
    registered,
) -> None:
    fake_slack.add_file("F1", PDF, "review.pdf", mimetype="application/pdf")
    send_dm(slack_app, "AC-01", files=[{"id": "F1"}])
    assert "Evidence recorded for AC-01" in _told(fake_slack)
    with registered.db.session_scope() as session:
        blob = session.scalars(select(Blob)).one()
        assert blob.content == PDF and blob.media_type == "application/pdf"


def test_every_file_of_a_message_is_its_own_submission_in_one_reply(
    slack_app,
    fake_slack,
    registered,
) -> None:
    for n in (1, 2, 3):
        fake_slack.add_file(f"F{n}", PDF + bytes([n]), f"review-{n}.pdf")
    send_dm(slack_app, "AC-01 Q4 reviews", files=[{"id": "F1"}, {"id": "F2"}, {"id": "F3"}])
    told = _told(fake_slack)
    assert told.startswith("3 of 3 files taken:")
    assert all(
        f"review-{n}.pdf: :white_check_mark: Evidence recorded for AC-01" in told for n in (1, 2, 3)
    )
    with registered.db.session_scope() as session:
        names = sorted(s.file_name or "" for s in session.scalars(select(Submission)))
    assert names == ["review-1.pdf", "review-2.pdf", "review-3.pdf"]
    reviews = wait_until(
        lambda: [c for c in fake_slack.named("chat.postMessage") if c.params["channel"] == "CSEC"][
            2:
        ]
    )
    assert reviews  # one review request per file
    replies = [c for c in fake_slack.calls if c.params.get("channel") in {"DALICE", "UALICE"}]
    assert len(replies) == 1


def test_files_not_taken_are_named_with_the_reason(slack_app, fake_slack, registered) -> None:  # noqa: F811
    registered.settings = registered.settings.model_copy(update={"evidence_max_bytes": 100})
    fake_slack.add_file("FOK", PDF, "ok.pdf")
    fake_slack.add_file("FBIG", b"x" * 101, "big.bin")
    fake_slack.add_file("FWEB", PDF, "page.pdf", content_type="text/html", body=b"<html>")
    fake_slack.add_file("FDUP", PDF, "copy-of-ok.pdf")
    # As in Slack's message event: each shared file with its ID and name.
    files = [
        {"id": f, "name": n}
        for f, n in [
            ("FOK", "ok.pdf"),
            ("FBIG", "big.bin"),
            ("FGONE", "gone.pdf"),
            ("FWEB", "page.pdf"),
            ("FDUP", "copy-of-ok.pdf"),
        ]
    ]
    send_dm(slack_app, "AC-01", files=files)
    told = _told(fake_slack)
    lines = told.splitlines()
    assert lines[0] == "2 of 5 files taken:", told
    assert "ok.pdf: :white_check_mark: Evidence recorded for AC-01" in told
    assert "copy-of-ok.pdf: Already had this exact evidence for AC-01" in told
    assert "big.bin was not taken: big.bin is 101 bytes; the limit is 100 bytes" in told
    assert "gone.pdf was not taken: I couldn't read that file from Slack (file_not_found)" in told
    assert "page.pdf was not taken: Slack sent a web page" in told
    assert _stored(registered) == (1, 1)


def test_an_unexpected_failure_on_one_file_is_named_with_a_reference(
    slack_app,
    fake_slack,
    registered,
) -> None:
    fake_slack.add_file("FOK", PDF, "ok.pdf")

    def info(params):  # type: ignore[no-untyped-def]
        if params.get("file") == "FODD":  # a shape the bot does not expect
            return {"ok": True, "file": {"id": "FODD", "size": "many"}}
        return fake_slack._default("files.info", params)

    fake_slack.responses["files.info"] = info
    files = [{"id": "FOK", "name": "ok.pdf"}, {"id": "FODD", "name": "odd.pdf"}]
    send_dm(slack_app, "AC-01", files=files)
    told = _told(fake_slack)
    assert told.startswith("1 of 2 files taken:")
    assert "odd.pdf was not taken: :warning: Something went wrong on my side (reference `" in told
    assert _stored(registered) == (1, 1)


def test_several_files_without_a_control_are_all_named(slack_app, fake_slack, registered) -> None:  # noqa: F811
    fake_slack.add_file("F1", PDF, "one.pdf")
    fake_slack.add_file("F2", PDF + b"2", "two.pdf")
    send_dm(
        slack_app,
        "the reviews",
        files=[{"id": "F1", "name": "one.pdf"}, {"id": "F2", "name": "two.pdf"}],
    )
    told = _told(fake_slack)
    assert "I haven't taken these 2 files yet (one.pdf, two.pdf)" in told
    assert "Send them again with the control in the message" in told
    assert _stored(registered) == (0, 0)


def test_a_trickling_download_stops_at_the_deadline(slack_app, fake_slack, registered) -> None:  # noqa: F811
    registered.settings = registered.settings.model_copy(update={"evidence_download_seconds": 1.0})
    fake_slack.add_file("FSLOW", b"s" * 200, "slow.pdf", trickle=0.2)  # 40 s if let run
    send_dm(slack_app, "AC-01", files=[{"id": "FSLOW"}])
    told = _told(fake_slack)
    assert "Downloading slow.pdf took longer than 1 s (EVIDENCE_DOWNLOAD_SECONDS)" in told
    assert fake_slack.downloads_done == []
    assert _stored(registered) == (0, 0)


def test_slow_downloads_do_not_hold_up_answers(slack_app, fake_slack, registered) -> None:  # noqa: F811
    # Five files trickling a byte every 2 s would take minutes; none may delay an unrelated mention.
    for n in range(5):
        fake_slack.add_file(f"FS{n}", PDF + bytes([n]), f"slow-{n}.pdf", trickle=2.0)
        send_dm(slack_app, "AC-01", files=[{"id": f"FS{n}"}], event_id=f"EvSlow{n}")
    fake_slack.wait_for("GET /files/FS0")
    mention = {
        "type": "app_mention",
        "user": "UBOB",
        "channel": "CGEN",
        "ts": "77.1",
        "text": "<@UBOT> what replaced A.9.2.5?",
    }
    slack_app.event(mention, event_id="EvMention")
    answer = wait_until(
        lambda: [c for c in fake_slack.named("chat.postMessage") if c.params["channel"] == "CGEN"],
        timeout=20,
    )
    assert "A.5.18" in answer[0].params["text"]
    assert fake_slack.downloads_done == []  # answered while every download was still trickling
    fake_slack.release.set()
    done = wait_until(
        lambda: [
            c
            for c in fake_slack.named("chat.postMessage")
            if c.params["channel"] == "DALICE" and "Evidence recorded" in c.params["text"]
        ][4:],
        timeout=30,
    )
    assert done and _stored(registered) == (5, 5)


@pytest.mark.parametrize(
    ("serving", "limit", "expected"),
    [
        (
            {"body": PDF[:5]},
            None,
            f"Slack sent 5 of the {len(PDF)} bytes of cut.pdf; nothing was stored. "
            "Share it again, or send a link.",
        ),
        (
            {"body": b"x" * 500},
            100,
            "cut.pdf is over the 100-byte limit (EVIDENCE_MAX_BYTES). Send a link instead.",
        ),
    ],
)
def test_a_download_that_is_not_the_file_slack_described_is_not_stored(
    slack_app,
    fake_slack,
    registered,
    serving: dict,  # type: ignore[type-arg]
    limit: int | None,
    expected: str,
) -> None:  # noqa: F811
    if limit is not None:  # files.info says 30 bytes (under the limit); the download keeps going
        registered.settings = registered.settings.model_copy(update={"evidence_max_bytes": limit})
    fake_slack.add_file("F1", PDF, "cut.pdf", **serving)
    send_dm(slack_app, "AC-01", files=[{"id": "F1"}])
    assert expected in _told(fake_slack)
    assert _stored(registered) == (0, 0)


def test_a_download_slack_refuses_is_named_with_its_status(
    slack_app, fake_slack, registered
) -> None:  # noqa: F811
    fake_slack.add_file("F1", PDF, "gone.pdf", url=f"{fake_slack.root}/files/NOPE")
    send_dm(slack_app, "AC-01", files=[{"id": "F1"}])
    told = _told(fake_slack)
    assert (
        "I couldn't download gone.pdf (HTTP 4" in told and "Share it again, or send a link" in told
    )
    assert _stored(registered) == (0, 0)
