"""Days people type are the organisation's days: where they start and end in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.dates import day_range, parse_day
from bot.errors import UsageError

LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def test_a_day_starts_at_midnight_in_the_zone() -> None:
    assert parse_day("2026-12-01", zone=UTC) == datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_day("since 2026-12-01", zone=LOS_ANGELES) == datetime(2026, 12, 1, 8, tzinfo=UTC)
    assert parse_day("  ", zone=LOS_ANGELES) is None


def test_a_range_ends_where_the_last_day_ends_even_across_a_clock_change() -> None:
    # 1 November 2026 is 25 hours long in Los Angeles: the clocks go back an hour.
    first, last = day_range("2026-11-01", "2026-11-01", zone=LOS_ANGELES)
    assert first == datetime(2026, 11, 1, 7, tzinfo=UTC)
    assert last == datetime(2026, 11, 2, 8, tzinfo=UTC) - timedelta(microseconds=1)
    assert day_range(None, "2026-12-31", zone=UTC) == (
        None,
        datetime(2027, 1, 1, tzinfo=UTC) - timedelta(microseconds=1),
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("31/12/2026", None, "'31/12/2026' is not a date: use YYYY-MM-DD"),
        (None, "tomorrow", "'tomorrow' is not a date: use YYYY-MM-DD"),
        ("2026-12-02", "2026-12-01", "The start date is after the end date."),
    ],
)
def test_bad_days_are_refused_with_the_format(
    start: str | None, end: str | None, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        day_range(start, end, "export", zone=LOS_ANGELES)
