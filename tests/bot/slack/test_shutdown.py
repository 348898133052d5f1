"""Stopping `serve --http` loses no acknowledged work: signals sent to a real serve process."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.process_support import ServeProcess

MENTIONS = 40
# Slack is slow to accept each answer, so acknowledged mentions are still being answered at the stop.
POST_DELAY_S = 0.5
# bolt runs listeners in five threads: at most these are mid-answer when a process stops.
LISTENER_THREADS = 5


@pytest.fixture
def serve_env(
    database_url: str, fake_slack, shared_index_dir: Path, real_searcher
) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Environment for a serve process on the test database, the fake Slack and the session's index."""
    fake_slack.delays["chat.postMessage"] = POST_DELAY_S
    return {
        "DATABASE_URL": database_url,
        "INDEX_DIR": str(shared_index_dir),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "test-secret",
        "SLACK_API_URL": fake_slack.url,
        "SECURITY_TEAM": "USEC1",
    }


def _mention(n: int) -> dict[str, str]:
    return {
        "type": "app_mention",
        "user": "UALICE",
        "channel": "CGEN",
        "ts": f"{n}.000100",
        "text": "<@UBOT> help",
    }


def _answered(fake_slack) -> list[str]:  # type: ignore[no-untyped-def]
    """thread_ts of every answer posted in CGEN (one per answered mention)."""
    return [
        str(c.params.get("thread_ts"))
        for c in fake_slack.named("chat.postMessage")
        if c.params.get("channel") == "CGEN"
    ]


def _mention_all(serve: ServeProcess) -> None:
    for n in range(1, MENTIONS + 1):
        assert serve.event(_mention(n), event_id=f"Ev{n}") == 200


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_finishes_acknowledged_mentions_within_the_grace_period(
    serve_env: dict[str, str],
    fake_slack,
    tmp_path: Path,
    signum: int,  # type: ignore[no-untyped-def]
) -> None:
    serve = ServeProcess({**serve_env, "SHUTDOWN_GRACE_SECONDS": "20"}, tmp_path / "serve.log")
    try:
        serve.wait_ready()
        _mention_all(serve)
        assert serve.stop(signum) == 0, serve.output()
    finally:
        serve.kill()
    answered = _answered(fake_slack)
    assert sorted(answered) == sorted(f"{n}.000100" for n in range(1, MENTIONS + 1)), serve.output()
    assert "every acknowledged request was finished" in serve.output()


def test_work_unfinished_at_the_stop_is_finished_by_the_next_start(
    serve_env: dict[str, str],
    fake_slack,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    first = ServeProcess({**serve_env, "SHUTDOWN_GRACE_SECONDS": "0.2"}, tmp_path / "first.log")
    try:
        first.wait_ready()
        _mention_all(first)
        assert first.stop() == 0, first.output()
    finally:
        first.kill()
    assert len(set(_answered(fake_slack))) < MENTIONS  # the short grace left work unfinished
    assert "the next start finishes them" in first.output()

    second = ServeProcess({**serve_env, "SHUTDOWN_GRACE_SECONDS": "20"}, tmp_path / "second.log")
    try:
        second.wait_ready()
        deadline = time.monotonic() + 60
        while len(set(_answered(fake_slack))) < MENTIONS and time.monotonic() < deadline:
            time.sleep(0.1)
        assert second.stop() == 0, second.output()
    finally:
        second.kill()
    answered = _answered(fake_slack)
    assert set(answered) == {f"{n}.000100" for n in range(1, MENTIONS + 1)}, second.output()
    # Only an answer Slack was accepting at the very moment of the stop can be given twice.
    assert len(answered) - MENTIONS <= LISTENER_THREADS
