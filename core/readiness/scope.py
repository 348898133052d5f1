"""Which requirements readiness is measured against, per framework, and how they are grouped."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from knowledge.catalogue import Catalogue, load_standard

FRAMEWORKS = ("iso27001", "soc2")
FRAMEWORK_TITLES = {"iso27001": "ISO 27001:2022", "soc2": "SOC 2"}
# Annex A themes by their clause number; the theme names are the standard's headings.
_THEMES = {
    "organizational": ("A.5", "Organizational controls"),
    "people": ("A.6", "People controls"),
    "physical": ("A.7", "Physical controls"),
    "technological": ("A.8", "Technological controls"),
}
# The Common Criteria series (security category) by their AICPA names.
_CC_SERIES = {
    "CC1": "Control Environment",
    "CC2": "Communication and Information",
    "CC3": "Risk Assessment",
    "CC4": "Monitoring Activities",
    "CC5": "Control Activities",
    "CC6": "Logical and Physical Access Controls",
    "CC7": "System Operations",
    "CC8": "Change Management",
    "CC9": "Risk Mitigation",
}
_CATEGORY_TITLES = {
    "availability": "Availability (A1)",
    "confidentiality": "Confidentiality (C1)",
    "processing_integrity": "Processing integrity (PI1)",
    "privacy": "Privacy (P1–P8)",
}


@dataclass(frozen=True)
class Group:
    """A grouping of requirements: a clause 4–10, an Annex A theme, a CC series or a category."""

    id: str
    framework: str
    title: str


@dataclass(frozen=True)
class Requirement:
    """One requirement readiness is measured against."""

    id: str
    framework: str
    title: str
    group: str
    # Register requirement IDs that implement it: itself plus the headings above a sub-clause.
    covered_by: tuple[str, ...]
    in_scope: bool = True
    # Only Annex A controls may be excluded in the register (Statement of Applicability).
    excludable: bool = False


@dataclass(frozen=True)
class Scope:
    """Every framework's groups and requirements, in catalogue order."""

    groups: tuple[Group, ...]
    requirements: tuple[Requirement, ...]

    def for_framework(self, framework: str) -> Scope:
        """The part of the scope for one framework."""
        return Scope(
            tuple(g for g in self.groups if g.framework == framework),
            tuple(r for r in self.requirements if r.framework == framework),
        )


def _clause_parts(catalogue: Catalogue) -> tuple[list[Group], list[Requirement]]:
    clauses = [e for e in catalogue.by_framework("iso27001") if e.kind == "clause"]
    ids = {e.id for e in clauses}
    groups = [Group(e.id, "iso27001", f"{e.id} {e.title}") for e in clauses if "." not in e.id]
    requirements = []
    for entry in clauses:
        if "." not in entry.id or any(other.startswith(entry.id + ".") for other in ids):
            continue  # a clause heading (4–10) or a parent of sub-clauses: a grouping only
        parts = entry.id.split(".")
        ancestors = tuple(".".join(parts[:n]) for n in range(len(parts) - 1, 0, -1))
        requirements.append(
            Requirement(entry.id, "iso27001", entry.title, parts[0], (entry.id, *ancestors))
        )
    return groups, requirements


def _annex_parts(catalogue: Catalogue) -> tuple[list[Group], list[Requirement]]:
    groups = [Group(number, "iso27001", f"{number} {title}") for number, title in _THEMES.values()]
    requirements = [
        Requirement(e.id, "iso27001", e.title, _THEMES[e.theme][0], (e.id,), excludable=True)
        for e in catalogue.by_framework("iso27001")
        if e.kind == "annex_a" and e.theme is not None
    ]
    return groups, requirements


def _soc2_group(entry_id: str, category: str) -> str:
    return entry_id.split(".")[0] if category == "security" else category


def _soc2_parts(
    catalogue: Catalogue, categories: tuple[str, ...]
) -> tuple[list[Group], list[Requirement]]:
    groups = [Group(series, "soc2", f"{series} {title}") for series, title in _CC_SERIES.items()]
    groups += [Group(cat, "soc2", title) for cat, title in _CATEGORY_TITLES.items()]
    requirements = [
        Requirement(
            e.id,
            "soc2",
            e.title,
            _soc2_group(e.id, str(e.category)),
            (e.id,),
            in_scope=e.category in categories,
        )
        for e in catalogue.by_framework("soc2")
        if e.kind == "criterion"
    ]
    return groups, requirements


def build_scope(catalogue: Catalogue, soc2_categories: tuple[str, ...] | list[str]) -> Scope:
    """Clause requirements and Annex A for ISO 27001; every SOC 2 criterion, marked in scope or not."""
    groups: list[Group] = []
    requirements: list[Requirement] = []
    for part in (
        _clause_parts(catalogue),
        _annex_parts(catalogue),
        _soc2_parts(catalogue, tuple(soc2_categories)),
    ):
        groups += part[0]
        requirements += part[1]
    used = {r.group for r in requirements}
    return Scope(tuple(g for g in groups if g.id in used), tuple(requirements))


@lru_cache(maxsize=1)
def standard_catalogue() -> Catalogue:
    """The bundled catalogue, for callers (the worker) that have none loaded."""
    return load_standard()
