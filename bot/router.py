"""Text in, reply structure out: the one router shared by Slack and the local console."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.errors import UsageError, UserFacingError
from bot.slack_text import Parsed, first_word, parse
from knowledge.answer import Answer

if TYPE_CHECKING:
    from bot.runtime import Runtime


@dataclass(frozen=True)
class Actor:
    """Who is asking: a Slack user ID (or an email on the console) and their role."""

    user_id: str
    is_security: bool = False
    email: str | None = None


@dataclass
class Request:
    """One message or command; `parsed` is its text with Slack's escapes read, made with it."""

    actor: Actor
    text: str
    surface: str  # slack_mention, slack_dm, slash, console
    channel: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    parsed: Parsed = field(init=False)

    def __post_init__(self) -> None:
        self.parsed = parse(self.text)


@dataclass
class AnswerReply:
    """An answer to a question, with the stored question's ID for feedback."""

    answer: Answer
    question_id: int


@dataclass
class TextReply:
    """Plain text (and optional Block Kit made by a command's own builder)."""

    text: str
    blocks: list[dict[str, Any]] | None = None
    ephemeral: bool = True


@dataclass
class HelpReply:
    """Help for all commands or one, with an optional reason it was shown."""

    command: str | None
    error: str | None = None


@dataclass
class ModalReply:
    """Open a modal (Slack); other surfaces show the fallback text."""

    view: dict[str, Any]
    fallback: str


Reply = AnswerReply | TextReply | HelpReply | ModalReply
Handler = Callable[["Runtime", Request, str], Reply]


@dataclass(frozen=True)
class Command:
    """A `/compliance` subcommand."""

    name: str
    usage: str
    summary: str
    examples: tuple[str, ...]
    handler: Handler
    security_only: bool = False
    # Claims a free-text message as this command (e.g. a DM with a link naming a control is evidence).
    claims: Callable[[Runtime, Request], bool] | None = None


class Router:
    """Dispatches requests to commands or to question answering."""

    def __init__(self, runtime: Runtime, commands: list[Command]) -> None:
        self.runtime = runtime
        self.commands = {c.name: c for c in commands}

    def handle(self, request: Request, *, as_command: bool = False) -> Reply:
        """Route one request; as_command means the first word must be a subcommand (slash)."""
        if "\x00" in request.text:
            # PostgreSQL cannot store U+0000 (every question is stored): say so instead of failing.
            raise UserFacingError(
                "Your message contains a NUL character (U+0000), which cannot be stored; "
                "remove it and send the message again."
            )
        text = request.parsed.text
        word, rest = first_word(text)
        name = word.lower()
        if as_command:
            if not text:
                return HelpReply(None)
            if name not in self.commands:
                return HelpReply(None, error=f"Unknown subcommand `{word}`.")
            return self._run(name, request, rest.strip())
        for command in self.commands.values():
            if name != command.name and command.claims and command.claims(self.runtime, request):
                return self._run(command.name, request, text)
        if name == "help" and (not rest or rest.strip().lower() in self.commands):
            return HelpReply(rest.strip().lower() or None)
        # "mine" alone is a command; "mine means what?" is still a question.
        if name in self.commands and name not in {"help", "ask"} and not rest.strip().endswith("?"):
            return self._run(name, request, rest.strip())
        return self._run("ask", request, rest.strip() if name == "ask" else text)

    def _run(self, name: str, request: Request, args: str) -> Reply:
        command = self.commands[name]
        if command.security_only and not request.actor.is_security:
            self.runtime.team.require(request.actor.user_id, f"use `/compliance {name}`")
        try:
            return command.handler(self.runtime, request, args)
        except UsageError as exc:
            return HelpReply(exc.command or name, error=str(exc))
