"""Evidence periods from a cadence: monthly, quarterly, semiannual, annual or a cron expression."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

NAMED = ("monthly", "quarterly", "semiannual", "annual")


@dataclass(frozen=True)
class Period:
    """One evidence period: a label, when it starts and when evidence is due (its end)."""

    label: str
    start: datetime
    due: datetime


def valid_cadence(cadence: str) -> bool:
    """True for a named cadence or a valid 5-field cron expression."""
    cadence = cadence.strip().lower()
    return cadence in NAMED or (len(cadence.split()) == 5 and croniter.is_valid(cadence))


def _month_start(year: int, month: int, zone: ZoneInfo) -> datetime:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=zone)


def period_for(cadence: str, when: datetime, zone: ZoneInfo) -> Period:
    """The period containing `when` (in zone); due is the last second of the period."""
    cadence = cadence.strip().lower()
    local = when.astimezone(zone)
    if cadence in NAMED:
        months = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}[cadence]
        first_month = (local.month - 1) // months * months + 1
        start = _month_start(local.year, first_month, zone)
        end = _month_start(local.year, first_month + months, zone)
        index = (first_month - 1) // months + 1
        label = {
            "monthly": f"{local.year}-{first_month:02d}",
            "quarterly": f"{local.year}-Q{index}",
            "semiannual": f"{local.year}-H{index}",
            "annual": f"{local.year}",
        }[cadence]
        return Period(label, start, end - timedelta(seconds=1))
    if not valid_cadence(cadence):
        raise ValueError(f"'{cadence}' is not a cadence")
    # Cron: the period runs from the previous firing to the next one, which is the due date.
    naive = local.replace(tzinfo=None)
    nxt = croniter(cadence, naive).get_next(datetime)
    prev = croniter(cadence, nxt).get_prev(datetime)
    if prev >= nxt:
        prev = croniter(cadence, naive).get_prev(datetime)
    due = nxt.replace(tzinfo=zone)
    return Period(due.strftime("%Y-%m-%d"), prev.replace(tzinfo=zone), due)
