"""The local console goes through the same router as Slack."""

from __future__ import annotations

import io

from bot.commands import all_commands
from bot.console import run
from bot.router import Actor, Router
from bot.runtime import Runtime
from core.config import Settings


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _router(settings: Settings, real_searcher) -> Router:  # type: ignore[no-untyped-def]
    runtime = Runtime(settings, embedder=real_searcher.embedder)
    runtime._searcher = real_searcher
    return Router(runtime, all_commands())


def test_console_round_trip_answers_and_exits_on_eof(settings: Settings, real_searcher) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    code = run(
        _router(settings, real_searcher),
        Actor("U1"),
        stdin=io.StringIO("what replaced A.9.2.5?\n\nhelp\n"),
        stdout=out,
    )
    assert code == 0
    text = out.getvalue()
    assert "became A.5.18" in text
    assert "/compliance ask <question>" in text


def test_console_exit_word_and_prompt(settings: Settings, real_searcher) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    code = run(
        _router(settings, real_searcher),
        Actor("U1"),
        stdin=FakeTTY("exit\nnever read\n"),
        stdout=out,
    )
    assert code == 0
    assert "you> " in out.getvalue() and "never read" not in out.getvalue()


def test_console_refuses_security_commands_to_others(settings: Settings, real_searcher) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    run(_router(settings, real_searcher), Actor("U1"), stdin=io.StringIO("report\n"), stdout=out)
    assert "Only the security team" in out.getvalue()


def test_console_security_member_gets_report(settings: Settings, real_searcher) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    run(
        _router(settings, real_searcher),
        Actor("USEC1", is_security=True),
        stdin=io.StringIO("ntp\nreport\n"),
        stdout=out,
    )
    assert "Questions asked: 1" in out.getvalue()
