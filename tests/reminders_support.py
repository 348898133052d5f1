"""A test domain for the reminder engine: items describe themselves until marked finished."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.reminders import registry
from core.reminders.models import DueItem

DOMAIN = "test_chore"
DUE = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # a Thursday, 12:00 in New York


class Chores:
    """Titles of open chores by ref id; a ref left out is finished; a ref in `broken` raises."""

    def __init__(self) -> None:
        self.titles: dict[int, str] = {}
        self.broken: set[int] = set()

    def describe(self, item: DueItem, *, db_session: Session) -> dict[str, Any] | None:
        """The describer the engine calls."""
        assert isinstance(db_session, Session)
        if item.ref_id in self.broken:
            raise RuntimeError("describer failed")
        title = self.titles.get(item.ref_id)
        if title is None:
            return None
        return {"title": title, "text": ["Do the chore.", f"Chore {item.ref_id}"]}

    def register(self) -> Chores:
        """Register as the test domain's describer."""
        registry.register(DOMAIN, self.describe)
        return self
