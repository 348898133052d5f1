"""Instants (stored in UTC) shown as the organisation's calendar days and clock times."""

from __future__ import annotations

from datetime import datetime, tzinfo


def local_day(value: datetime, zone: tzinfo) -> str:
    """The calendar day of an instant in zone, as YYYY-MM-DD."""
    # A campaign due at the end of 15 December in Los Angeles is stored as 07:59 UTC on the 16th;
    # people must read the day they were given, not the UTC one.
    return f"{value.astimezone(zone):%Y-%m-%d}"


def local_moment(value: datetime, zone: tzinfo) -> str:
    """An instant in zone to the minute, with the zone's abbreviation (e.g. 2026-12-15 09:30 PST)."""
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or zone}"
