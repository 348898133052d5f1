"""Reading a clicked button's value: anything missing or malformed is a stale (or forged) button."""

from __future__ import annotations

from typing import Any

from bot.errors import UserFacingError
from bot.slack_text import parse_id

STALE = "That button no longer works."


def button_value(body: dict[str, Any]) -> str:
    """The clicked button's value; a body without one gets the stale-button reply."""
    try:
        return str(body["actions"][0]["value"])
    except (KeyError, IndexError, TypeError):
        raise UserFacingError(STALE) from None


def row_id(raw: str) -> int:
    """A row ID carried in a button (exact digits only), else the stale-button reply."""
    found = parse_id(raw)
    if found is None:
        raise UserFacingError(STALE)
    return found


def button_id(body: dict[str, Any]) -> int:
    """The row ID the clicked button's value names, else the stale-button reply."""
    return row_id(button_value(body))
