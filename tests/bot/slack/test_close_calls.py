"""A close call reaches people as one: side by side in Slack (signed HTTP) and in the console."""

from __future__ import annotations

import pytest

from bot.commands import all_commands
from bot.render_text import render
from bot.router import AnswerReply
from bot.runtime import Runtime
from core.config import Settings
from knowledge import answer
from knowledge.catalogue import load_standard
from knowledge.search import Searcher
from tests.fakes import FakeEmbedder
from tests.slack_support import SlackAppServer, assert_acked

# A security term keeps it in scope whatever the fake embedder makes of the rest.
QUESTION = "I left my laptop unlocked on the train with my passwords on a note"


@pytest.fixture
def quick_runtime(slack_settings: Settings) -> Runtime:
    """A Runtime on the fake Slack whose searcher uses the instant fake embedder."""
    embedder = FakeEmbedder()
    runtime = Runtime(slack_settings, embedder=embedder)
    runtime._searcher = Searcher(load_standard(), embedder)
    return runtime


@pytest.fixture
def quick_app(quick_runtime: Runtime):  # type: ignore[no-untyped-def]
    """The real app over HTTP, answering from the fake-embedder searcher."""
    server = SlackAppServer(quick_runtime)
    yield server
    server.close()


@pytest.fixture
def every_search_is_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any three search hits count as close (the margin itself is tested in knowledge)."""
    monkeypatch.setattr(answer, "CLOSE_MARGIN", 1.0)


@pytest.mark.usefixtures("every_search_is_close")
def test_a_mention_gets_the_candidates_side_by_side(quick_app, fake_slack) -> None:  # type: ignore[no-untyped-def]
    response = quick_app.event(
        {
            "type": "app_mention",
            "user": "UALICE",
            "channel": "CGEN",
            "ts": "300.1",
            "text": f"<@UBOT> {QUESTION}",
        }
    )
    assert_acked(response)
    call = fake_slack.wait_for("chat.postMessage")[0]
    blocks = call.params["blocks"]
    fields = next(b["fields"] for b in blocks if b["type"] == "section" and "fields" in b)
    assert len(fields) == 3
    assert all(f["text"].startswith("*") and "\n" in f["text"] for f in fields)
    assert "Three entries fit your question about equally well" in blocks[0]["text"]["text"]
    assert "Three entries fit" in call.params["text"]  # the notification and fallback say so too
    assert "What auditors expect" not in str(blocks)


@pytest.mark.usefixtures("every_search_is_close")
def test_the_console_lists_the_candidates_one_line_each(quick_runtime: Runtime) -> None:
    # The console prints router replies through render(); the same answer Slack gets.
    result = quick_runtime.searcher().search(QUESTION)
    reply = AnswerReply(answer.compose(result, quick_runtime.catalogue, min_score=0.35), 1)
    text = render(reply, all_commands())
    assert "Three entries fit your question about equally well" in text
    listed = [line for line in text.splitlines() if line.startswith(("  1. ", "  2. ", "  3. "))]
    assert len(listed) == 3 and all("): " in line for line in listed)
    assert "Ask again naming one" in text


def test_a_clear_answer_is_not_a_close_call_in_slack(quick_app, fake_slack) -> None:  # type: ignore[no-untyped-def]
    quick_app.event(
        {
            "type": "app_mention",
            "user": "UALICE",
            "channel": "CGEN",
            "ts": "300.2",
            "text": "<@UBOT> A.5.15",
        }
    )
    call = fake_slack.wait_for("chat.postMessage")[0]
    assert not any("fields" in b for b in call.params["blocks"])
    assert "equally well" not in call.params["text"]
