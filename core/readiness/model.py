"""What readiness is made of: a status per requirement, tallies per group and framework, the JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

STATUSES = ("gap", "no_evidence", "submitted", "current", "overdue", "not_applicable")


@dataclass(frozen=True)
class ControlState:
    """Where one register control stands with its evidence at one moment."""

    ref: str
    owner: str  # Slack user ID when the register's owner was resolved, else as written
    status: str  # no_evidence, submitted, current, overdue or not_applicable
    due_at: datetime | None  # what is outstanding is due then (None when current)
    last_accepted: datetime | None
    note: str | None = None  # what exactly is overdue, when it is not evidence (incidents)


@dataclass(frozen=True)
class RequirementStatus:
    """One requirement's status and the register controls behind it."""

    id: str
    framework: str
    title: str
    group: str
    status: str
    controls: tuple[ControlState, ...]
    last_accepted: datetime | None
    due_at: datetime | None

    @property
    def owners(self) -> list[str]:
        """Owners of every implementing control, once each, in register order."""
        return list(dict.fromkeys(c.owner for c in self.controls))

    @property
    def responsible(self) -> list[str]:
        """Owners of the controls that give the requirement its status (who has to act)."""
        return list(dict.fromkeys(c.owner for c in self.controls if c.status == self.status))

    @property
    def stale(self) -> bool:
        """Accepted evidence once, but none for the current period yet."""
        return self.status == "no_evidence" and self.last_accepted is not None

    def as_json(self) -> dict[str, Any]:
        """The requirement as `readiness --json` prints it."""
        return {
            "id": self.id,
            "framework": self.framework,
            "title": self.title,
            "status": self.status,
            "controls": [c.ref for c in self.controls],
            "owners": self.owners,
            "last_accepted": _iso(self.last_accepted),
            "due_at": _iso(self.due_at),
        }


@dataclass(frozen=True)
class Tally:
    """Counts per status over some requirements, and the share that is ready."""

    id: str
    title: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """Requirements counted (every status, not applicable included)."""
        return sum(self.counts.values())

    @property
    def applicable(self) -> int:
        """Requirements that count towards readiness: all but the not applicable ones."""
        return self.total - self.counts["not_applicable"]

    @property
    def ready(self) -> float | None:
        """current / applicable, rounded to 4 places; None when nothing is applicable."""
        if not self.applicable:
            return None
        return round(self.counts["current"] / self.applicable, 4)

    @classmethod
    def of(cls, id: str, title: str, items: Iterable[RequirementStatus]) -> Tally:
        """Tally the statuses of items."""
        seen = Counter(item.status for item in items)
        return cls(id, title, {status: seen.get(status, 0) for status in STATUSES})

    def as_json(self) -> dict[str, Any]:
        """A group as `readiness --json` prints it."""
        return {"id": self.id, "title": self.title, "counts": self.counts, "ready": self.ready}


@dataclass(frozen=True)
class FrameworkReadiness:
    """One framework: its tally and one tally per group."""

    framework: str
    title: str
    tally: Tally
    groups: tuple[Tally, ...]

    @property
    def in_scope(self) -> int:
        """Requirements listed for the framework (their counts add up to this)."""
        return self.tally.total

    @property
    def ready(self) -> float | None:
        """The framework's ready share."""
        return self.tally.ready

    def as_json(self) -> dict[str, Any]:
        """The framework as `readiness --json` prints it."""
        return {
            "framework": self.framework,
            "in_scope": self.in_scope,
            "counts": self.tally.counts,
            "ready": self.ready,
            "groups": [g.as_json() for g in self.groups],
        }


@dataclass(frozen=True)
class Readiness:
    """Readiness at one moment: per framework and per requirement."""

    generated_at: datetime
    frameworks: tuple[FrameworkReadiness, ...]
    requirements: tuple[RequirementStatus, ...]
    zone: tzinfo  # the organisation's: where due days are shown

    def most_urgent(self, limit: int = 10) -> list[RequirementStatus]:
        """Overdue requirements (longest overdue first), then gaps in catalogue order."""
        overdue = sorted(
            (r for r in self.requirements if r.status == "overdue"),
            key=lambda r: (r.due_at or self.generated_at, r.id),
        )
        gaps = [r for r in self.requirements if r.status == "gap"]
        return (overdue + gaps)[:limit]

    def snapshot(self) -> dict[str, str]:
        """Status per requirement ID (stale ones as `stale`): what the next digest compares with."""
        return {r.id: "stale" if r.stale else r.status for r in self.requirements}

    def as_json(self) -> dict[str, Any]:
        """The one object `readiness --json` prints."""
        return {
            "generated_at": _iso(self.generated_at),
            "frameworks": [f.as_json() for f in self.frameworks],
            "requirements": [r.as_json() for r in self.requirements],
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
