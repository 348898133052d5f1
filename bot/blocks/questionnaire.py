"""Block Kit for questionnaires: the summary, rows to review with their buttons, the edit modal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.blocks.common import Block, actions, button, context, divider, modal, section, text_input
from bot.ids import Action, Field, View
from bot.ids import Block as BlockId
from core.models import QuestionnaireItem

ROWS_PER_MESSAGE = 12  # three blocks a row stays under Slack's 50 blocks per message
ROWS_SHOWN = 48  # beyond this the answered file is the place to review
ANSWER_SHOWN = 700
LABELS = {"approved": "approved", "suggested": "suggested", "needs_review": "needs review"}


def summary_text(file_name: str, counts: dict[str, int], used: Sequence[str] = ()) -> str:
    """One line per status: what came back and what to do next; then the sheets and columns used."""
    total = sum(counts.values())
    lines = "".join(f"\nUsed {line}" for line in used)
    return (
        f"I answered *{file_name}*: {total} question{'s' if total != 1 else ''}: "
        f"{counts['approved']} approved from the library, {counts['suggested']} suggested, "
        f"{counts['needs_review']} need review. The answered file is attached here; approve the "
        "rows below (or edit, then approve) and they join the answer library, so the next "
        "questionnaire reuses them." + lines
    )


def _sources(item: QuestionnaireItem) -> str:
    return ", ".join(f"{s['id']} ({s['kind']})" for s in item.sources) or "none found"


def item_blocks(item: QuestionnaireItem) -> list[Block]:
    """One row: the question, the draft and its sources, then buttons (or who approved it)."""
    draft = item.answer if len(item.answer) <= ANSWER_SHOWN else item.answer[:ANSWER_SHOWN] + "…"
    head = f"*Row {item.row}* · {LABELS.get(item.status, item.status)} · {item.confidence:.2f}"
    body = f"{head}\n>{item.question}\n{draft or '_No draft: nothing matched well enough._'}"
    blocks = [section(body), context(f"Sources: {_sources(item)}")]
    if item.approved_at is not None:
        blocks.append(context(f":white_check_mark: Approved by <@{item.approved_by}>"))
        return blocks
    value = str(item.id)
    buttons = [button("Edit and approve", Action.QUESTIONNAIRE_EDIT, value)]
    if item.answer.strip():
        buttons.insert(0, button("Approve", Action.QUESTIONNAIRE_APPROVE, value, style="primary"))
    blocks.append(actions(*buttons))
    return blocks


def review_messages(items: list[QuestionnaireItem]) -> list[list[Block]]:
    """The rows to review, a message per ROWS_PER_MESSAGE rows, at most ROWS_SHOWN rows in all."""
    shown = items[:ROWS_SHOWN]
    messages = []
    for start in range(0, len(shown), ROWS_PER_MESSAGE):
        blocks: list[Block] = []
        for item in shown[start : start + ROWS_PER_MESSAGE]:
            blocks.extend(item_blocks(item))
            blocks.append(divider())
        messages.append(blocks[:-1])
    return messages


def more_text(items: list[QuestionnaireItem]) -> str | None:
    """What is not listed, and where to review it."""
    rest = len(items) - ROWS_SHOWN
    if rest <= 0:
        return None
    return (
        f"{rest} more rows need review: they are in the answered file. Correct them there and "
        "add them with `compliance-bot library import`."
    )


def item_ids(message: dict[str, Any]) -> list[int]:
    """The row IDs behind a review message's buttons (to draw it again after an approval)."""
    out: list[int] = []
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            value = str(element.get("value") or "")
            if (
                element.get("action_id")
                in {Action.QUESTIONNAIRE_EDIT, Action.QUESTIONNAIRE_APPROVE}
                and value.isdigit()
            ):
                if int(value) not in out:
                    out.append(int(value))
    return out


def edit_modal(item: QuestionnaireItem, channel: str, message: dict[str, Any]) -> dict[str, Any]:
    """Edit the draft, then approve it into the library (the metadata says which message to redraw)."""
    ts = str(message.get("ts") or "")
    thread = str(message.get("thread_ts") or ts)
    metadata = json.dumps(
        {"item": item.id, "channel": channel, "ts": ts, "thread": thread, "rows": item_ids(message)}
    )
    blocks = [
        section(f"*Row {item.row}*\n>{item.question}"),
        text_input(
            BlockId.QUESTIONNAIRE_ANSWER,
            "Answer",
            Field.VALUE,
            multiline=True,
            initial=item.answer[:2900] or None,
            placeholder="The answer we give customers",
        ),
        context(f"Sources: {_sources(item)}"),
    ]
    return modal(
        View.QUESTIONNAIRE_EDIT, "Edit and approve", blocks, submit="Approve", metadata=metadata
    )


HELP = (
    "*Security questionnaires*\n"
    "A member of the security team DMs me a questionnaire (.xlsx or .csv) without naming a "
    "control, or with the word _questionnaire_. I find every sheet with questions (skipping cover, "
    "instructions and glossary sheets), its question, ID and answer columns, answer every row and "
    "reply in a thread with a summary, the sheets and columns I used, and the answered file: its "
    "own Yes/No and comment columns filled (Answer, Status, Confidence and Sources columns added "
    "where it has none), every other cell as it was.\n"
    "• *approved*: the answer library had this question; its approved answer is reused.\n"
    "• *suggested*: drafted from our register controls (cadence, owner, last accepted evidence), "
    "the best-matching policy and the catalogue entry behind it.\n"
    "• *needs review*: nothing scored well, the question asks whether something happened "
    "(a breach, a fine) and the library does not say, or one library answer would have answered "
    "many different questions; the nearest sources are listed.\n"
    "Suggested and needs-review rows come with *Approve* and *Edit and approve* buttons; what "
    "you approve enters the library and the next questionnaire reuses it. From the terminal: "
    "`compliance-bot questionnaire answer FILE` and `compliance-bot library import|list|export`."
)
