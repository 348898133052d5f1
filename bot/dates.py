"""Dates typed by people (YYYY-MM-DD) turned into UTC instants and inclusive ranges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.errors import UsageError


def parse_day(value: str, command: str | None = None) -> datetime | None:
    """A YYYY-MM-DD date as the start of that day in UTC; None for empty."""
    value = value.strip().removeprefix("since").strip()
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(
            f"'{value}' is not a date: use YYYY-MM-DD, e.g. 2026-01-31", command
        ) from None


def day_range(
    start: str | None, end: str | None, command: str | None = None
) -> tuple[datetime | None, datetime | None]:
    """From the start of `start` to the end of `end` (inclusive), either open."""
    first = parse_day(start or "", command)
    last = parse_day(end or "", command)
    if last is not None:
        last = last + timedelta(days=1) - timedelta(microseconds=1)
    if first and last and first > last:
        raise UsageError("The start date is after the end date.", command)
    return first, last
