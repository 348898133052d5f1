"""Block Kit for access reviews: invitation, the reviewer's paged accounts, removal tasks, modals."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from bot.blocks.common import (
    Block,
    actions,
    button,
    context,
    input_block,
    modal,
    plain,
    section,
    text,
    text_input,
)
from bot.blocks.reminders import default_message, register_renderer
from bot.ids import Action, Field, View
from bot.ids import Block as BlockId
from core.access_reviews.pages import Page, Pending, Row
from core.access_reviews.reminders import DECISION, REMOVAL
from core.localtime import local_day

MAX_BLOCKS = 50  # Slack refuses a message with more


def invitation(content: dict[str, Any], zone: tzinfo) -> dict[str, Any]:
    """The DM telling a reviewer how many accounts they must decide, with a button to start."""
    due = local_day(datetime.fromisoformat(str(content["due"])), zone)
    lead = ":bell: Reminder: you still have" if content.get("reminder") else ":lock: You have"
    head = (
        f"{lead} *{content['count']}* account(s) to review in access review "
        f"#{content['review_id']} ({', '.join(content['systems'])}), due {due}."
    )
    blocks = [
        section(head),
        context("For each account: keep it if the person still needs it, revoke it if not."),
        actions(
            button(
                "Review accounts", Action.ACCESS_OPEN, f"{content['review_id']}:0", style="primary"
            )
        ),
    ]
    return {"text": head.replace("*", ""), "blocks": blocks}


def _row_text(row: Row) -> str:
    tags = []
    if row.privileged:
        tags.append(":large_orange_diamond: privileged")
    tags += [f":warning: {flag}" for flag in row.flags]
    who = f" — {plain(row.email)}" if row.email and row.email != row.account else ""
    role = f" ({plain(row.role)})" if row.role else ""
    login = f", last login {plain(row.last_login)}" if row.last_login else ""
    line = f"*{plain(row.account)}*{who}{role}{login}"
    return line + (f"\n{'  '.join(tags)}" if tags else "")


def _row_blocks(row: Row, active: bool) -> list[Block]:
    if row.decision is not None or not active:
        mark = {"keep": ":white_check_mark: kept", "revoke": ":x: revoked"}.get(
            row.decision or "", "not decided"
        )
        return [section(f"{_row_text(row)}\n{mark}")]
    keep_label = "Keep (give a reason)" if row.needs_reason else "Keep"
    return [
        section(_row_text(row)),
        actions(
            button(keep_label, Action.ACCESS_KEEP, str(row.item_id), style="primary"),
            button("Revoke", Action.ACCESS_REVOKE, str(row.item_id), style="danger"),
        ),
    ]


def review_page(page: Page, zone: tzinfo) -> dict[str, Any]:
    """One page of the reviewer's accounts (never more than Slack's 50 blocks)."""
    state = "" if page.active else " — this review is closed"
    head = (
        f"*Access review #{page.review_id}* — {page.left} account(s) left, due "
        f"{local_day(page.due_at, zone)}{state}"
    )
    blocks: list[Block] = [section(head)]
    system = None
    for row in page.rows:
        if row.system != system:
            system = row.system
            blocks.append(context(f"*{plain(system)}*"))
        blocks += _row_blocks(row, page.active)
    blocks.append(_navigation(page))
    if page.active and page.keepable:
        blocks.append(
            actions(
                button(
                    f"Keep all remaining ({page.keepable})",
                    Action.ACCESS_KEEP_ALL,
                    str(page.review_id),
                ),
            )
        )
        blocks.append(
            context(
                "Privileged and flagged accounts are never kept in bulk: decide them one by one."
            )
        )
    assert len(blocks) <= MAX_BLOCKS
    return {"text": head.replace("*", ""), "blocks": blocks}


def _navigation(page: Page) -> Block:
    elements = []
    if page.page > 0:
        elements.append(
            button("‹ Previous", Action.ACCESS_PAGE, f"{page.review_id}:{page.page - 1}")
        )
    if page.page + 1 < page.pages:
        elements.append(button("Next ›", Action.ACCESS_PAGE, f"{page.review_id}:{page.page + 1}"))
    if not elements:
        return context(f"Page {page.page + 1} of {page.pages}")
    return {
        "type": "actions",
        "elements": elements,
    }


def removal_task(content: dict[str, Any]) -> dict[str, Any]:
    """The DM asking a system owner to remove a revoked account."""
    reason = f" Reason: {plain(str(content['reason']))}" if content.get("reason") else ""
    head = (
        f":scissors: Please remove *{plain(str(content['account']))}* from "
        f"*{plain(str(content['system']))}* (revoked by <@{content['decided_by']}> in access review "
        f"#{content['review_id']}).{reason}"
    )
    return {
        "text": head.replace("*", ""),
        "blocks": [
            section(head),
            actions(
                button(
                    "Mark removed",
                    Action.ACCESS_REMOVED,
                    str(content["removal_id"]),
                    style="primary",
                )
            ),
        ],
    }


def reason_modal(item_id: int, account: str, metadata: str) -> dict[str, Any]:
    """Asks why a privileged or flagged account is kept."""
    blocks: list[Block] = [
        section(f"Why does *{plain(account)}* still need this access?"),
        text_input(BlockId.ACCESS_REASON, "Reason", Field.VALUE, multiline=True),
    ]
    return modal(View.ACCESS_REASON, "Keep this account", blocks, submit="Keep", metadata=metadata)


def removed_modal(removal_id: int, metadata: str) -> dict[str, Any]:
    """Confirms a removal, with an optional note and file."""
    blocks: list[Block] = [
        text_input(
            BlockId.ACCESS_NOTE,
            "Note (optional): what was done, ticket link",
            Field.VALUE,
            multiline=True,
            optional=True,
        ),
        input_block(
            BlockId.ACCESS_FILE,
            "Screenshot or export (optional)",
            {"type": "file_input", "action_id": Field.VALUE, "max_files": 1},
            optional=True,
        ),
    ]
    return modal(
        View.ACCESS_REMOVED, "Account removed", blocks, submit="Confirm", metadata=metadata
    )


def start_modal() -> dict[str, Any]:
    """The modal behind `/compliance access-review start`."""
    reviewer = {
        "type": "radio_buttons",
        "action_id": Field.VALUE,
        "options": [
            {"text": text("Each person's manager", markdown=False), "value": "manager"},
            {"text": text("The system owner", markdown=False), "value": "owner"},
        ],
    }
    blocks: list[Block] = [
        text_input(BlockId.ACCESS_SYSTEMS, "Systems", Field.VALUE, placeholder="github, aws"),
        input_block(BlockId.ACCESS_REVIEWER, "Who reviews", reviewer),
        input_block(
            BlockId.ACCESS_DUE, "Due date", {"type": "datepicker", "action_id": Field.VALUE}
        ),
    ]
    return modal(View.ACCESS_START, "Start access review", blocks, submit="Start")


def home_blocks(pending: list[Pending], zone: tzinfo) -> list[Block]:
    """App Home: what is left for the person in each active review."""
    return [
        section(
            f"*Access review #{p.review_id}:* {p.left} account(s) left to decide, due {local_day(p.due_at, zone)}",
            button("Review accounts", Action.ACCESS_OPEN, f"{p.review_id}:0", style="primary"),
        )
        for p in pending
    ]


def _decision_reminder(payload: dict[str, Any], *, zone: tzinfo) -> dict[str, Any]:
    """A reviewer's reminder opens their accounts; an escalation says who has them."""
    ref = str((payload.get("content") or {}).get("ref_id") or payload.get("ref_id"))
    buttons = [button("Review accounts", Action.ACCESS_OPEN, f"{ref}:0", style="primary")]
    escalation = payload.get("stage") == "escalation"
    return default_message(payload, zone=zone, buttons=[] if escalation else buttons)


def _removal_reminder(payload: dict[str, Any], *, zone: tzinfo) -> dict[str, Any]:
    """A system owner's reminder carries Mark removed."""
    ref = str((payload.get("content") or {}).get("ref_id") or payload.get("ref_id"))
    buttons = [button("Mark removed", Action.ACCESS_REMOVED, ref, style="primary")]
    escalation = payload.get("stage") == "escalation"
    return default_message(payload, zone=zone, buttons=[] if escalation else buttons)


def register_reminders() -> None:
    """Lay out the engine's reminders about access decisions and removal tasks."""
    register_renderer(DECISION, _decision_reminder)
    register_renderer(REMOVAL, _removal_reminder)
