"""When reminders fall: days before the due date, on the due day, then overdue with growing gaps.

Days are counted in the assignee's own time zone; working hours are applied by the tick.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

BEFORE, DUE, OVERDUE, ESCALATION = "before", "due", "overdue", "escalation"
OVERDUE_GAPS = (1, 2, 4, 7, 14)  # days between overdue reminders, then every 14


def first_remind_at(due_at: datetime, days_before: int) -> datetime:
    """When the first reminder of an item is due."""
    return due_at - timedelta(days=days_before)


def due_day_start(due_at: datetime, zone: tzinfo) -> datetime:
    """Midnight starting the due day where the assignee is (in UTC)."""
    # UTC midnight would fall on the evening before for anyone west of UTC, and their
    # "due today" reminder would come a day early.
    return datetime.combine(due_at.astimezone(zone).date(), time(), tzinfo=zone).astimezone(UTC)


def overdue_days(now: datetime, due_at: datetime, zone: tzinfo) -> int:
    """Whole days past the due day, as the assignee's calendar counts them (0 before or on it)."""
    return max(0, (now.astimezone(zone).date() - due_at.astimezone(zone).date()).days)


def stage(now: datetime, due_at: datetime, zone: tzinfo) -> str:
    """before, due (the due day itself) or overdue, in the assignee's zone."""
    today, due_day = now.astimezone(zone).date(), due_at.astimezone(zone).date()
    if today < due_day:
        return BEFORE
    return DUE if today == due_day else OVERDUE


def _next_mark(days: int) -> int:
    """The first overdue day after `days` on which a reminder goes: 1, 3, 7, 14, 28, 42, ..."""
    mark = 0
    for gap in OVERDUE_GAPS:
        mark += gap
        if mark > days:
            return mark
    last = OVERDUE_GAPS[-1]
    return mark + last * ((days - mark) // last + 1)


def next_after(now: datetime, due_at: datetime, zone: tzinfo) -> datetime:
    """The next reminder time after one sent at `now`."""
    start = due_day_start(due_at, zone)
    if now < start:
        return start  # the "due today" reminder
    # Counted from the due day (not from the last send) so a late or snoozed send keeps the rhythm.
    return start + timedelta(days=_next_mark(overdue_days(now, due_at, zone)))


def escalation_due(due_at: datetime, after_days: int) -> datetime:
    """When an overdue item is escalated (once)."""
    return due_at + timedelta(days=after_days)
