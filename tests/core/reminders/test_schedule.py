"""Reminder times: the due day in the assignee's zone and the growing overdue gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.reminders import schedule

DUE = datetime(2026, 12, 31, 17, tzinfo=UTC)
NY = ZoneInfo("America/New_York")


def test_the_due_day_starts_at_local_midnight() -> None:
    assert schedule.due_day_start(DUE, NY) == datetime(2026, 12, 31, 5, tzinfo=UTC)
    tokyo = ZoneInfo("Asia/Tokyo")  # 02:00 on 1 January there
    assert schedule.due_day_start(DUE, tokyo) == datetime(2026, 12, 31, 15, tzinfo=UTC)


def test_overdue_reminders_fall_on_days_1_3_7_14_28_then_every_14() -> None:
    start = schedule.due_day_start(DUE, NY)
    marks = []
    now = DUE - timedelta(days=2)
    for _ in range(8):
        now = schedule.next_after(now, DUE, NY)
        marks.append((now - start).days)
        now += timedelta(hours=10)  # sent later that day
    assert marks == [0, 1, 3, 7, 14, 28, 42, 56]


def test_stage_and_overdue_days_count_the_assignees_calendar() -> None:
    la = ZoneInfo("America/Los_Angeles")
    late_evening = datetime(2027, 1, 1, 6, tzinfo=UTC)  # 22:00 on the 31st in Los Angeles
    assert schedule.stage(late_evening, DUE, la) == schedule.DUE
    assert schedule.stage(late_evening, DUE, NY) == schedule.OVERDUE
    assert schedule.overdue_days(late_evening, DUE, NY) == 1
    assert schedule.overdue_days(DUE - timedelta(days=3), DUE, NY) == 0
    assert schedule.stage(DUE - timedelta(days=3), DUE, NY) == schedule.BEFORE
