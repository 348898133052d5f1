"""Evidence rendered: the submit modal, review requests, suggestions and what became of a hand-in."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import Block, actions, button, context, modal, section, text_input
from bot.ids import Action, Field, View
from bot.ids import Block as BlockId
from core.evidence.handin import HandedIn


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


def handed_in_text(result: HandedIn) -> str:
    """A short confirmation for the person who handed evidence in."""
    done = [
        f"{r.control.ref} ({r.period})"
        + (" (recorded as submitted on behalf of the owner)" if r.on_behalf else "")
        for r in result.recorded
    ]
    dupes = [f"{d.control_ref} ({d.period})" for d in result.duplicates]
    lines = []
    if done:
        lines.append(
            ":white_check_mark: Evidence recorded for "
            + ", ".join(done)
            + ". The security team will review it."
        )
    if dupes:
        lines.append(
            "Already had this exact evidence for " + ", ".join(dupes) + ": not stored twice."
        )
    return "\n".join(lines)


def files_text(taken: list[tuple[str, HandedIn]], refused: list[tuple[str, str]]) -> str:
    """One reply for every file of a message: what each was recorded for, and why any was not taken."""
    total = len(taken) + len(refused)
    lines = [
        f"{len(taken)} of {total} files taken:"
        if taken
        else f"None of the {total} files was taken:"
    ]
    for name, result in taken:
        lines.append(f"  • {name}: " + handed_in_text(result).replace("\n", " "))
    for name, reason in refused:
        lines.append(f"  • {name} was not taken: {reason}")
    return "\n".join(lines)
