"""The catalogue as the evidence domain sees it: canonical requirement IDs and crosswalk partners."""

from __future__ import annotations

from collections.abc import Callable

from core.evidence.export import Requirement
from knowledge.catalogue import Catalogue

# Links close enough that one piece of evidence serves both frameworks.
STRONG = {"equivalent", "partial"}


def requirement_resolver(catalogue: Catalogue) -> Callable[[str], str | None]:
    """Map a typed catalogue ID (A.5.18, cc6.1, 2013 IDs) to its canonical 2022 ID."""

    def resolve(raw: str) -> str | None:
        entry, _ = catalogue.resolve(raw)
        return (
            entry.id
            if entry is not None and entry.framework in {"iso27001", "soc2", "org"}
            else None
        )

    return resolve


def requirements(catalogue: Catalogue) -> dict[str, Requirement]:
    """Every catalogue ID as the export needs it."""
    return {e.id: Requirement(e.id, e.title, e.framework) for e in catalogue.entries.values()}


def partners(catalogue: Catalogue) -> dict[str, list[str]]:
    """Strong crosswalk partners per ID, from the catalogue's own crosswalk index."""
    out = {}
    for entry_id in catalogue.entries:
        strong = [link.target for link in catalogue.crosswalk(entry_id) if link.strength in STRONG]
        if strong:
            out[entry_id] = strong
    return out
