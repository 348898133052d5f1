"""Any router reply as Slack message arguments (Block Kit plus a plain-text fallback)."""

from __future__ import annotations

from typing import Any

from bot.blocks.answer import answer_blocks, help_blocks
from bot.render_text import render
from bot.router import AnswerReply, Command, HelpReply, Reply, TextReply


def message_args(
    reply: Reply, commands: dict[str, Command], *, shareable: bool = False
) -> dict[str, Any]:
    """`text` and `blocks` for chat.postMessage / respond()."""
    fallback = render(reply, commands)
    if isinstance(reply, AnswerReply):
        blocks = answer_blocks(reply.answer, reply.question_id, shareable=shareable)
        best = reply.answer.best
        if best and not reply.answer.close_call:  # a close call's fallback lists the candidates
            fallback = f"{best.entry.id} {best.entry.title}: {best.entry.summary}"
    elif isinstance(reply, HelpReply):
        blocks = help_blocks(commands, reply.command, reply.error)
    elif isinstance(reply, TextReply) and reply.blocks:
        blocks = reply.blocks
    else:
        return {"text": fallback[:3900]}
    return {"text": fallback[:3900], "blocks": blocks}
