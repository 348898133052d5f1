"""Review cadences of the risk and supplier registers: named intervals counted in calendar months."""

from __future__ import annotations

import calendar
from datetime import datetime

MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


def valid_review_cadence(cadence: str) -> bool:
    """True for monthly, quarterly, semiannual or annual."""
    return cadence.strip().lower() in MONTHS


def next_review(cadence: str, after: datetime) -> datetime:
    """When the next review is due: the cadence's months after `after` (the day clamped to the month)."""
    months = MONTHS[cadence.strip().lower()]
    index = after.month - 1 + months
    year, month = after.year + index // 12, index % 12 + 1
    day = min(after.day, calendar.monthrange(year, month)[1])
    return after.replace(year=year, month=month, day=day)
