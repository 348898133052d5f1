"""Reminder and escalation messages of the engine: one renderer per domain, a generic default."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.blocks.common import Block, actions, button, context, section
from bot.ids import Action
from core.localtime import local_day
from core.reminders import schedule
from core.reminders.service import SNOOZE_DAYS

# renderer(payload, *, zone) -> chat.postMessage arguments ({"text": ..., "blocks": [...]}).
Renderer = Callable[..., dict[str, Any]]
SNOOZE_LABELS = {1: "Snooze 1 day", 3: "Snooze 3 days", 7: "Snooze 1 week"}

_renderers: dict[str, Renderer] = {}
_loaded = False


def register_renderer(domain: str, fn: Renderer) -> None:
    """Lay out a domain's reminders with fn (registering again replaces it)."""
    _renderers[domain] = fn


def _load() -> None:
    """Every domain's renderer, registered once on first use (see bot/blocks/reminder_domains.py)."""
    global _loaded
    if not _loaded:
        _loaded = True
        from bot.blocks.reminder_domains import register_all

        register_all()


def payload_zone(payload: dict[str, Any], default: tzinfo) -> tzinfo:
    """The zone the reminder's days were counted in (the assignee's), else default."""
    try:
        return ZoneInfo(str(payload["zone"])) if payload.get("zone") else default
    except (ZoneInfoNotFoundError, ValueError):
        return default


def snooze_buttons(item_id: int) -> list[dict[str, Any]]:
    """The shared Snooze buttons; the listener checks the clicker is the item's assignee."""
    return [button(SNOOZE_LABELS[d], Action.SNOOZE_ITEM, f"{item_id}:{d}") for d in SNOOZE_DAYS]


def _lines(content: dict[str, Any]) -> list[str]:
    text = content.get("text") or []
    return [text] if isinstance(text, str) else [str(line) for line in text]


def headline(payload: dict[str, Any], zone: tzinfo) -> str:
    """One line saying when the thing is due, by stage (before, due, overdue, escalation)."""
    title = str((payload.get("content") or {}).get("title") or "Something you owe")
    due, days = datetime.fromisoformat(payload["due"]), int(payload.get("overdue_days") or 0)
    stage = payload.get("stage")
    if stage == schedule.ESCALATION:
        return (
            f":rotating_light: *{title}* is {days} day(s) overdue. "
            f"Assigned to <@{payload.get('assignee')}>."
        )
    if stage == schedule.OVERDUE:
        return (
            f":warning: *{title}* is {days} day(s) overdue (it was due on {local_day(due, zone)})."
        )
    if stage == schedule.DUE:
        return f":alarm_clock: *{title}* is due today."
    return f":wave: *{title}* is due on {local_day(due, zone)}."


def default_message(
    payload: dict[str, Any], *, zone: tzinfo, buttons: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The generic layout: headline, the content's text lines, the domain's buttons and Snooze."""
    own = payload_zone(payload, zone)
    head = headline(payload, own)
    blocks: list[Block] = [section(head)]
    lines = _lines(payload.get("content") or {})
    if lines:
        blocks.append(context("\n".join(lines)))
    elements = list(buttons or [])
    if payload.get("stage") != schedule.ESCALATION:  # only the assignee may snooze
        elements += snooze_buttons(int(payload["item_id"]))
    if elements:
        blocks.append(actions(*elements))
    return {"text": head.replace("*", ""), "blocks": blocks}


def with_owner_button(
    payload: dict[str, Any], *, zone: tzinfo, label: str, action_id: str
) -> dict[str, Any]:
    """The generic layout plus one primary button for the assignee, carrying the ref id; the
    escalation goes to others, so it has none."""
    if payload.get("stage") == schedule.ESCALATION:
        return default_message(payload, zone=zone)
    owned = button(label, action_id, str(payload["ref_id"]), style="primary")
    return default_message(payload, zone=zone, buttons=[owned])


def render(payload: dict[str, Any], *, zone: tzinfo) -> dict[str, Any]:
    """chat.postMessage arguments for a queued reminder or escalation, by its domain."""
    _load()
    renderer = _renderers.get(str(payload.get("domain")))
    if renderer is None:
        return default_message(payload, zone=zone)
    return renderer(payload, zone=zone)
