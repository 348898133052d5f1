"""The local console: type as a Slack user would, read the bot's replies, no Slack needed."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.render_text import render
from bot.router import Actor, Request, Router
from core.errors import DomainError

PROMPT = "you> "
EXIT_WORDS = {"exit", "quit", ":q"}


def run(
    router: Router, actor: Actor, *, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    """Read lines until EOF or `exit`, answering each through the shared router."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    if interactive:
        stdout.write(
            f"compliance-bot console — you are {actor.user_id}"
            f"{' (security team)' if actor.is_security else ''}. Type 'help', or 'exit' to leave.\n"
        )
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            stdout.write("\n")
            return 0
        if not line:
            if interactive:
                stdout.write("\n")
            return 0
        text = line.strip()
        if not text:
            continue
        if text.lower() in EXIT_WORDS:
            return 0
        try:
            reply = router.handle(Request(actor=actor, text=text, surface="console"))
            out = render(reply, router.commands)
        except DomainError as exc:  # the console's one place a refusal becomes a reply
            out = str(exc)
        stdout.write(f"bot> {out.replace(chr(10), chr(10) + '     ')}\n\n")
        stdout.flush()
