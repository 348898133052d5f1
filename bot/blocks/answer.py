"""Block Kit for answers and help."""

from __future__ import annotations

from bot.blocks.common import (
    Block,
    actions,
    button,
    context,
    divider,
    modal,
    section,
    text,
    text_input,
)
from bot.blocks.incident import offers_report, report_button
from bot.ids import Action, Field, View
from bot.ids import Block as BlockId
from bot.render_text import help_text
from bot.router import Command
from knowledge.answer import (
    CLOSE_CALL_HINT,
    DECLINE,
    DECLINE_EXAMPLES,
    Answer,
    close_call_intro,
    label,
    one_line,
)
from knowledge.schema import Entry


def answer_blocks(answer: Answer, question_id: int, *, shareable: bool = False) -> list[Block]:
    """An answer with its evidence, counterparts, related entries and feedback buttons."""
    blocks: list[Block] = []
    if answer.truncated:
        blocks.append(context("Your question was long: I used its first 1,000 characters."))
    if answer.declined:
        blocks.append(section(f":wave: {DECLINE}"))
        blocks.append(context(DECLINE_EXAMPLES))
    elif not answer.confident or answer.best is None:
        nearest = "\n".join(f"• {label(h.entry)}" for h in answer.related) or "• nothing close"
        blocks.append(
            section(
                ":mag: I don't have a confident answer to that in the catalogue, so I've noted it "
                "as a knowledge gap for the security team.\n*Nearest entries:*\n" + nearest
            )
        )
        blocks.append(context("Try naming a control (e.g. `A.5.15`, `CC6.1`) or other words."))
    elif answer.close_call:
        blocks.extend(_close_call_blocks(answer))
    else:
        blocks.extend(_confident_blocks(answer, answer.best.entry))
    blocks.append(divider())
    blocks.append(_feedback_actions(question_id, shareable=shareable))
    if not answer.declined and offers_report(answer):  # incidents: the way to report one
        blocks[-1]["elements"].append(report_button())
    return blocks


def _close_call_blocks(answer: Answer) -> list[Block]:
    """Two or three candidates side by side (title and one line each) instead of one answer."""
    fields = [text(f"*{label(h.entry)}*\n{one_line(h.entry)}") for h in answer.close]
    others = [h for h in answer.related if h not in answer.close]
    blocks = [
        section(f":balance_scale: {close_call_intro(answer)}"),
        {"type": "section", "fields": fields},
        context(CLOSE_CALL_HINT),
    ]
    if others:
        blocks.append(
            context("Also related: " + " · ".join(f"{h.entry.id} {h.entry.title}" for h in others))
        )
    return blocks


def _confident_blocks(answer: Answer, entry: Entry) -> list[Block]:
    """The best entry: any 2013 note, its summary, evidence, counterparts and related entries."""
    blocks: list[Block] = []
    if answer.legacy_note:
        blocks.append(section(f":arrows_counterclockwise: {answer.legacy_note}"))
    blocks.append(section(f"*{label(entry)}*\n{entry.summary}"))
    if answer.citation is not None:
        # Our own rule leads; the catalogue control it implements is cited under it.
        if entry.guidance:
            blocks.append(section(entry.guidance))
        entry = answer.citation.entry
        blocks.append(context(f"Based on *{label(entry)}*: {one_line(entry)}"))
    if answer.clause_note:
        blocks.append(context(answer.clause_note))
    if entry.evidence:
        items = "\n".join(f"• {item}" for item in entry.evidence)
        blocks.append(section(f"*What auditors expect as evidence*\n{items}"))
    if answer.equivalents:
        other = "SOC 2" if entry.framework == "iso27001" else "ISO 27001"
        lines = "\n".join(
            f"• *{e.id}* {e.title} _({e.strength})_ — {e.rationale}" for e in answer.equivalents
        )
        blocks.append(section(f"*{other} counterparts*\n{lines}"))
    if answer.related:
        related = " · ".join(f"{h.entry.id} {h.entry.title}" for h in answer.related)
        blocks.append(context("Related: " + related))
    return blocks


def _feedback_actions(question_id: int, *, shareable: bool) -> Block:
    """👍 / 👎 on the stored question, with "Share in channel" first where the answer was private."""
    buttons = [
        button(":+1: Helpful", Action.FEEDBACK_UP, str(question_id)),
        button(":-1: Not helpful", Action.FEEDBACK_DOWN, str(question_id)),
    ]
    if shareable:
        buttons.insert(
            0, button("Share in channel", Action.SHARE_ANSWER, str(question_id), style="primary")
        )
    return actions(*buttons)


def help_blocks(commands: dict[str, Command], name: str | None, error: str | None) -> list[Block]:
    """Help for all subcommands or one, as a code-free mrkdwn section."""
    return [
        section(
            help_text(commands, name, error)
            .replace("  /compliance", "• `/compliance")
            .replace("  —", "` —")
        )
    ]


def feedback_modal(question_id: int) -> dict[str, object]:
    """The 👎 modal asking what was missing."""
    return modal(
        View.FEEDBACK,
        "What was missing?",
        [
            text_input(
                BlockId.FEEDBACK_COMMENT,
                "What did you expect to find?",
                Field.VALUE,
                multiline=True,
                optional=True,
                placeholder="e.g. our own password policy, or which SOC 2 criterion covers this",
            )
        ],
        submit="Send",
        metadata=str(question_id),
    )
