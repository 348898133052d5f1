"""Risk review cards, the Update modal, the approval request and the `/compliance risks` overview."""

from __future__ import annotations

from typing import Any

from bot.blocks import reminders as reminder_blocks
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
from bot.ids import Action, Field, View
from bot.ids import Block as B
from core.reminders import schedule
from core.risks.scale import TREATMENTS


def card_value(content: dict[str, Any]) -> str:
    """What every button of a card carries: the risk and the version it shows."""
    return f"{content['ref_id']}:{content['version']}"


def parse_value(value: str) -> tuple[int, int] | None:
    """(risk id, version) from a button value or modal metadata, or None when it is not one."""
    risk, _, version = value.partition(":")
    if not (risk.isdigit() and version.isdigit()):
        return None
    return int(risk), int(version)


def risk_card(content: dict[str, Any], *, note: str | None = None) -> list[Block]:
    """The owner's review card: the risk as it stands and what they can do about it."""
    blocks: list[Block] = []
    if note:
        blocks.append(context(note))
    body = f"*{plain(content['title'])}* (version {content['version']})"
    if content.get("description"):
        body += f"\n{plain(content['description'])}"
    blocks.append(section(body + "\n" + "\n".join(content["lines"])))
    value = card_value(content)
    buttons = [
        button("Still accurate", Action.RISK_ACCURATE, value, style="primary"),
        button("Update", Action.RISK_UPDATE, value),
    ]
    if content.get("signoff"):
        buttons.append(button("Accept the residual risk", Action.RISK_ACCEPT, value))
    blocks.append(actions(*buttons))
    return blocks


def approval_blocks(content: dict[str, Any]) -> list[Block]:
    """The security channel's request to approve an owner's acceptance of a high residual risk."""
    return [
        section(
            f"<@{content['owner']}> accepted the residual risk of *{plain(content['title'])}* "
            f"(version {content['version']}). It is above the approval threshold: a security-team "
            "member other than the owner approves it.\n" + "\n".join(content["lines"])
        ),
        actions(button("Approve the acceptance", Action.RISK_ACCEPT, card_value(content))),
    ]


def _score_input(block_id: str, label: str, initial: int, top: int) -> Block:
    return text_input(block_id, f"{label} (1–{top})", Field.VALUE, initial=str(initial))


def update_modal(content: dict[str, Any], top: int) -> dict[str, Any]:
    """The Update modal, filled with the version the owner saw."""
    values = content["values"]
    options = [{"text": text(t, markdown=False), "value": t} for t in TREATMENTS]
    treatment = {
        "type": "static_select",
        "action_id": Field.VALUE,
        "options": options,
        "initial_option": next(o for o in options if o["value"] == values["treatment"]),
    }
    blocks = [
        _score_input(B.RISK_LIKELIHOOD, "Likelihood", values["likelihood"], top),
        _score_input(B.RISK_IMPACT, "Impact", values["impact"], top),
        input_block(B.RISK_TREATMENT, "Treatment", treatment),
        text_input(
            B.RISK_PLAN,
            "Treatment plan: one step a line, starting with its due date",
            Field.VALUE,
            multiline=True,
            optional=True,
            placeholder="2027-03-31 Roll out MFA",
            initial=values["plan"] or None,
        ),
        _score_input(
            B.RISK_RESIDUAL_LIKELIHOOD, "Residual likelihood", values["residual_likelihood"], top
        ),
        _score_input(B.RISK_RESIDUAL_IMPACT, "Residual impact", values["residual_impact"], top),
    ]
    return modal(
        View.RISK_UPDATE,
        f"Update {content['title']}",
        blocks,
        submit="Save",
        metadata=card_value(content),
    )


def overview_text(top: list[dict[str, Any]], overdue: list[str]) -> str:
    """`/compliance risks`: the highest residual risks and what is overdue, as mrkdwn."""
    lines = ["*Top risks* (by residual score)"]
    lines += [
        f"• {plain(r['ref'])} {plain(r['title'])}: {r['residual']} ({r['level']}), {r['treatment']}, "
        f"owner <@{r['owner']}>"
        for r in top
    ] or ["• the risk register is empty (`compliance-bot risk import FILE`)"]
    lines.append("*Overdue*")
    lines += [f"• {line}" for line in overdue] or ["• nothing overdue"]
    return "\n".join(lines)


def review_reminder(payload: dict[str, Any], *, zone: Any) -> dict[str, Any]:
    """The engine's review reminder: the card's buttons under the stage headline (none to escalations)."""
    content = payload.get("content") or {}
    if payload.get("stage") == schedule.ESCALATION or "version" not in content:
        return reminder_blocks.default_message(payload, zone=zone)
    value = card_value(content)
    buttons = [
        button("Still accurate", Action.RISK_ACCURATE, value, style="primary"),
        button("Update", Action.RISK_UPDATE, value),
    ]
    if content.get("signoff"):
        buttons.append(button("Accept the residual risk", Action.RISK_ACCEPT, value))
    return reminder_blocks.default_message(payload, zone=zone, buttons=buttons)


def action_reminder(payload: dict[str, Any], *, zone: Any) -> dict[str, Any]:
    """The engine's treatment-action reminder, with Done for the owner."""
    return reminder_blocks.with_owner_button(
        payload, zone=zone, label="Done", action_id=Action.RISK_ACTION_DONE
    )


def register_reminders() -> None:
    """Lay out the risk register's reminders (risk_review, risk_action)."""
    reminder_blocks.register_renderer("risk_review", review_reminder)
    reminder_blocks.register_renderer("risk_action", action_reminder)
