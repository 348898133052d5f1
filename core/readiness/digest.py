"""The weekly digest's content: what changed since the last one, as plain data, and when it is due."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.readiness.model import Readiness, RequirementStatus

LISTED = 10  # items per list in one digest; the totals say how many there are
TOP_OWNERS = 5


def next_slot(after: datetime, zone: ZoneInfo, weekday: int, hour: int) -> datetime:
    """The first `weekday` (0 = Monday) at `hour`:00 in zone strictly after `after`."""
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    while True:
        slot = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
        if slot > after:
            return slot
        day += timedelta(days=7)


def is_slot(when: datetime, zone: ZoneInfo, weekday: int, hour: int) -> bool:
    """True when `when` is a slot of the configured day and hour (as next_slot computes them)."""
    return next_slot(when - timedelta(seconds=1), zone, weekday, hour) == when


def _item(requirement: RequirementStatus, who: list[str]) -> dict[str, Any]:
    return {
        "id": requirement.id,
        "title": requirement.title,
        "owners": who,
        "due_at": requirement.due_at.isoformat() if requirement.due_at else None,
    }


def _listed(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"total": len(items), "items": items[:LISTED]}


def digest_content(report: Readiness, baseline: dict[str, Any], since: datetime) -> dict[str, Any]:
    """What became overdue or stale and which gaps are new since `baseline`; top overdue owners."""
    was = {str(k): str(v) for k, v in baseline.items()}
    overdue = [r for r in report.most_urgent(len(report.requirements)) if r.status == "overdue"]
    became_overdue = [_item(r, r.responsible) for r in overdue if was.get(r.id) != "overdue"]
    became_stale = [
        _item(r, r.owners) for r in report.requirements if r.stale and was.get(r.id) != "stale"
    ]
    new_gaps = [
        _item(r, []) for r in report.requirements if r.status == "gap" and was.get(r.id) != "gap"
    ]
    owners = Counter(owner for r in overdue for owner in r.responsible)
    return {
        "generated_at": report.generated_at.isoformat(),
        "since": since.isoformat(),
        "frameworks": [
            {
                "framework": f.framework,
                "title": f.title,
                "ready": f.ready,
                "counts": f.tally.counts,
                "applicable": f.tally.applicable,
            }
            for f in report.frameworks
        ],
        "became_overdue": _listed(became_overdue),
        "became_stale": _listed(became_stale),
        "new_gaps": _listed(new_gaps),
        "top_overdue_owners": [
            {"owner": owner, "overdue": n}
            for owner, n in sorted(owners.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_OWNERS]
        ],
    }
