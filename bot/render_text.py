"""Replies as plain text: for the console, the CLI and Slack's notification fallback."""

from __future__ import annotations

from bot.router import AnswerReply, Command, HelpReply, ModalReply, Reply, TextReply
from knowledge.answer import render_text


def render(reply: Reply, commands: dict[str, Command]) -> str:
    """Any reply as readable text."""
    if isinstance(reply, AnswerReply):
        return render_text(reply.answer)
    if isinstance(reply, HelpReply):
        return help_text(commands, reply.command, reply.error)
    if isinstance(reply, TextReply):
        return reply.text
    if isinstance(reply, ModalReply):
        return reply.fallback
    raise TypeError(f"unknown reply {reply!r}")


def help_text(commands: dict[str, Command], name: str | None, error: str | None = None) -> str:
    """Plain-text help for every command, or for one."""
    lines = [error] if error else []
    chosen = [commands[name]] if name in commands else list(commands.values())
    if name is None or name not in commands:
        lines.append("Ask me anything about ISO 27001 or SOC 2, or use a subcommand:")
    for command in chosen:
        lines.append(f"  /compliance {command.usage}  —  {command.summary}")
        if command.security_only:
            lines.append("      (security team only)")
        for example in command.examples:
            lines.append(f"      e.g. /compliance {example}")
    return "\n".join(lines)
