"""Dates typed by people (YYYY-MM-DD): days of the organisation's zone, as instants and ranges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.errors import UsageError


def _day(value: str, command: str | None) -> date | None:
    value = value.strip().removeprefix("since").strip()
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(
            f"'{value}' is not a date: use YYYY-MM-DD, e.g. 2026-01-31", command
        ) from None


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def parse_day(value: str, command: str | None = None, *, zone: tzinfo) -> datetime | None:
    """A YYYY-MM-DD date as the instant its day starts in zone (in UTC); None for empty."""
    day = _day(value, command)
    return None if day is None else _start_of(day, zone)


def day_range(
    start: str | None, end: str | None, command: str | None = None, *, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """From the start of `start` to the end of `end` (inclusive) in zone, either open."""
    first, last_day = parse_day(start or "", command, zone=zone), _day(end or "", command)
    # The day after's start, not start + 24 h: a day with a clock change is 23 or 25 hours long.
    last = None
    if last_day is not None:
        last = _start_of(last_day + timedelta(days=1), zone) - timedelta(microseconds=1)
    if first and last and first > last:
        raise UsageError("The start date is after the end date.", command)
    return first, last
