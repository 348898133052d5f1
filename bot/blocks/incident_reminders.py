"""How incident reminders read: a Mark done button on actions; no Snooze for a channel's reminder."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from bot.blocks import reminders as reminder_blocks
from bot.blocks.common import actions, button, context, section
from bot.ids import Action
from core.incidents.reminders import ACTION, NOTIFICATION, REVIEW


def _for_channel(payload: dict[str, Any], zone: tzinfo) -> dict[str, Any]:
    """A reminder posted in a channel: nobody there can snooze it for the others."""
    own = reminder_blocks.payload_zone(payload, zone)
    head = reminder_blocks.headline(payload, own)
    text = (payload.get("content") or {}).get("text") or []
    lines = [text] if isinstance(text, str) else [str(t) for t in text]
    return {"text": head.replace("*", ""), "blocks": [section(head), context("\n".join(lines))]}


def incident_reminder(payload: dict[str, Any], *, zone: tzinfo) -> dict[str, Any]:
    """A breach notification or review reminder (the channel's copy without Snooze)."""
    if str(payload.get("assignee", ""))[:1] in {"C", "G"}:
        return _for_channel(payload, zone)
    return reminder_blocks.default_message(payload, zone=zone)


def action_reminder(payload: dict[str, Any], *, zone: tzinfo) -> dict[str, Any]:
    """A corrective action reminder with its Mark done button (checked against the clicker)."""
    done = button("Mark done", Action.INCIDENT_ACTION_DONE, str(payload["ref_id"]), style="primary")
    if payload.get("stage") == "escalation":
        message = reminder_blocks.default_message(payload, zone=zone)
        message["blocks"].append(actions(done))
        return message
    return reminder_blocks.default_message(payload, zone=zone, buttons=[done])


def register_reminders() -> None:
    """Register the incident renderers with the reminder blocks."""
    reminder_blocks.register_renderer(NOTIFICATION, incident_reminder)
    reminder_blocks.register_renderer(REVIEW, incident_reminder)
    reminder_blocks.register_renderer(ACTION, action_reminder)
