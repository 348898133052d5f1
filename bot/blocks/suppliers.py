"""New-supplier requests: the request modal, the security team's thread message and decision modal."""

from __future__ import annotations

from typing import Any

from bot.blocks import reminders as reminder_blocks
from bot.blocks.common import Block, actions, button, modal, plain, section, text_input
from bot.ids import Action, Field, View
from bot.ids import Block as B


def request_modal() -> dict[str, Any]:
    """Anyone's request for a new supplier: name, purpose, data shared."""
    blocks = [
        text_input(B.SUPPLIER_NAME, "Supplier name", Field.VALUE),
        text_input(B.SUPPLIER_PURPOSE, "What would they do for us?", Field.VALUE, multiline=True),
        text_input(
            B.SUPPLIER_DATA,
            "What data would we share with them?",
            Field.VALUE,
            multiline=True,
            optional=True,
        ),
    ]
    return modal(View.SUPPLIER_REQUEST, "New supplier", blocks, submit="Send request")


def request_blocks(
    request_id: int, name: str, purpose: str, data_shared: str, user: str
) -> list[Block]:
    """The request as the security team sees it, with Approve and Reject."""
    value = str(request_id)
    return [
        section(
            f"<@{user}> asks to take on a new supplier: *{plain(name)}*\n"
            f"Purpose: {plain(purpose)}\nData shared: {plain(data_shared) or 'none said'}"
        ),
        actions(
            button("Approve", Action.SUPPLIER_APPROVE, value, style="primary"),
            button("Reject", Action.SUPPLIER_REJECT, value, style="danger"),
        ),
    ]


def decision_modal(request_id: int, approve: bool) -> dict[str, Any]:
    """The reason for approving or rejecting; kept with the decision."""
    verb = "Approve" if approve else "Reject"
    blocks = [text_input(B.SUPPLIER_REASON, f"Why {verb.lower()}?", Field.VALUE, multiline=True)]
    metadata = f"{request_id}:{'approve' if approve else 'reject'}"
    return modal(View.SUPPLIER_DECISION, f"{verb} supplier", blocks, submit=verb, metadata=metadata)


def review_reminder(payload: dict[str, Any], *, zone: Any) -> dict[str, Any]:
    """The engine's supplier review reminder, with Reviewed for the owner."""
    return reminder_blocks.with_owner_button(
        payload, zone=zone, label="Reviewed", action_id=Action.SUPPLIER_REVIEWED
    )


def register_reminders() -> None:
    """Lay out the supplier register's review reminders (assurance ones use the default)."""
    reminder_blocks.register_renderer("supplier_review", review_reminder)
