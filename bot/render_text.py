"""Replies as plain text: for the console, the CLI and Slack's notification fallback."""

from __future__ import annotations

from bot.router import AnswerReply, Command, HelpReply, ModalReply, Reply, TextReply, help_text
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
