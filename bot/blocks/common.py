"""Small Block Kit helpers shared by the builders."""

from __future__ import annotations

from typing import Any

from bot.errors import FieldError
from bot.ids import Action, Field

Block = dict[str, Any]
MAX_TEXT = 2900  # Slack caps a section's text at 3000 characters
# PostgreSQL cannot store U+0000 in text; nobody means to type it, so say so instead of failing.
NUL_MESSAGE = (
    "This contains a NUL character (U+0000), which cannot be stored; remove it and send again."
)


def text(value: str, *, markdown: bool = True) -> dict[str, Any]:
    """A text object."""
    kind = "mrkdwn" if markdown else "plain_text"
    out: dict[str, Any] = {"type": kind, "text": value[:MAX_TEXT]}
    if not markdown:
        out["emoji"] = True
    return out


def section(value: str, accessory: dict[str, Any] | None = None) -> Block:
    """A mrkdwn section."""
    block: Block = {"type": "section", "text": text(value)}
    if accessory:
        block["accessory"] = accessory
    return block


def context(value: str) -> Block:
    """A small grey context line."""
    return {"type": "context", "elements": [text(value)]}


def button(label: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    """A button element."""
    out: dict[str, Any] = {
        "type": "button",
        "text": text(label, markdown=False),
        "action_id": action_id,
        "value": value,
    }
    if style:
        out["style"] = style
    return out


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    """An actions block."""
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def divider() -> Block:
    """A divider."""
    return {"type": "divider"}


def text_input(
    block_id: str,
    label: str,
    action_id: str,
    *,
    multiline: bool = False,
    optional: bool = False,
    placeholder: str | None = None,
    initial: str | None = None,
) -> Block:
    """An input block holding a plain-text input."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
    }
    if placeholder:
        element["placeholder"] = text(placeholder, markdown=False)
    if initial:
        element["initial_value"] = initial
    return {
        "type": "input",
        "block_id": block_id,
        "label": text(label, markdown=False),
        "element": element,
        "optional": optional,
    }


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> Block:
    """An input block around any element (datepicker, file input, checkboxes, ...)."""
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": text(label, markdown=False),
        "element": element,
    }
    if optional:
        block["optional"] = True
    return block


def primary_choice(has_quiz: bool, campaign_id: int, *, quiz_label: str) -> dict[str, Any]:
    """The button that acknowledges a campaign: its quiz when it has one, else the plain click."""
    # A campaign with a quiz refuses the plain button: offer the quiz instead.
    if has_quiz:
        return button(quiz_label, Action.TAKE_QUIZ, str(campaign_id), style="primary")
    return button(
        "I have read and understood", Action.ACKNOWLEDGE, str(campaign_id), style="primary"
    )


def modal(
    callback_id: str, title: str, blocks: list[Block], *, submit: str, metadata: str = ""
) -> dict[str, Any]:
    """A modal view."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": text(title[:24], markdown=False),
        "submit": text(submit, markdown=False),
        "close": text("Cancel", markdown=False),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def submitted(view: dict[str, Any], block_id: str, key: str = "value") -> Any:
    """What a view submission holds for one input block (inputs use the action_id Field.VALUE)."""
    values: dict[str, Any] = (view.get("state") or {}).get("values") or {}
    value = (values.get(block_id, {}).get(Field.VALUE) or {}).get(key)
    if isinstance(value, str) and "\x00" in value:
        raise FieldError(NUL_MESSAGE, block_id)
    return value


def plain(value: str) -> str:
    """Text someone typed or a system sent, shown as itself in mrkdwn (no mentions, no links)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
