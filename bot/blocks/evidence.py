"""Block Kit for evidence: the submit modal, review requests, suggestions."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import Block, actions, button, context, modal, section, text_input
from bot.ids import Action, Field, View
from bot.ids import Block as BlockId


def evidence_modal(
    request_id: int, control_ref: str, control_title: str, period: str, expected: str
) -> dict[str, Any]:
    """The 'Submit evidence' modal: text, link and effective date."""
    blocks: list[Block] = [section(f"*{control_ref} {control_title}* — {period}")]
    if expected:
        blocks.append(context(f"Expected: {expected}"))
    blocks += [
        text_input(
            BlockId.EVIDENCE_TEXT,
            "What does this evidence show?",
            Field.VALUE,
            multiline=True,
            optional=True,
        ),
        text_input(
            BlockId.EVIDENCE_LINK,
            "Link to the evidence",
            Field.VALUE,
            optional=True,
            placeholder="https://…",
        ),
        {
            "type": "input",
            "block_id": BlockId.EVIDENCE_DATE,
            "optional": True,
            "label": {"type": "plain_text", "text": "Effective date (the date the evidence shows)"},
            "element": {"type": "datepicker", "action_id": Field.VALUE},
        },
    ]
    return modal(
        View.EVIDENCE, "Submit evidence", blocks, submit="Submit", metadata=str(request_id)
    )


def review_blocks(
    *,
    request_id: int,
    control_ref: str,
    control_title: str,
    period: str,
    submitted_by: str,
    text: str,
    link: str | None,
    file_name: str | None,
) -> list[Block]:
    """A review request for the security channel with Accept / Reject buttons."""
    detail = [f"*Evidence for {control_ref} {control_title}* ({period}) from <@{submitted_by}>"]
    if text:
        detail.append(f">{text[:500]}")
    if link:
        detail.append(f"Link: {link}")
    if file_name:
        detail.append(f"File: {file_name}")
    return [
        section("\n".join(detail)),
        actions(
            button("Accept", Action.ACCEPT_EVIDENCE, str(request_id), style="primary"),
            button("Reject", Action.REJECT_EVIDENCE, str(request_id), style="danger"),
        ),
    ]


def reject_modal(request_id: int) -> dict[str, Any]:
    """Asks the reviewer why the evidence is rejected."""
    return modal(
        View.REJECT,
        "Reject evidence",
        [
            text_input(
                BlockId.REJECT_COMMENT, "What is missing or wrong?", Field.VALUE, multiline=True
            )
        ],
        submit="Reject",
        metadata=str(request_id),
    )


def suggestion_blocks(file_id: str, suggestions: list[tuple[str, str, str]]) -> list[Block]:
    """'Which control is this for?' with one button per likely control."""
    blocks: list[Block] = [
        section(
            "Which control is this evidence for? Pick one, or send it again naming the control."
        )
    ]
    for ref, title, reason in suggestions:
        blocks.append(
            section(
                f"*{ref}* {title}\n_{reason}_",
                button("This one", Action.CONFIRM_CONTROL, f"{file_id}|{ref}"),
            )
        )
    return blocks
