"""The fact sheet (IDs and official short titles) parsed, to check the catalogue against."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

FACTS = Path(__file__).parent / "data" / "catalogue_facts.md"


@cache
def _lines() -> list[str]:
    return FACTS.read_text(encoding="utf-8").splitlines()


def clauses() -> dict[str, str]:
    """Clause ID → title (section 1)."""
    out = {}
    for line in _lines():
        if line.startswith("Notes:"):
            break  # the clause list ends where its notes begin
        m = re.match(r"^\s*- (\d{1,2}(?:\.\d){0,2}) (.+)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def annex_a() -> dict[str, tuple[str, bool]]:
    """Annex A ID → (title, new in 2022)."""
    out = {}
    for line in _lines():
        m = re.match(r"^- (A\.\d\.\d{1,2}) (.+?)( \*\*\(NEW\)\*\*)?$", line)
        if m:
            out[m.group(1)] = (m.group(2).strip(), bool(m.group(3)))
    return out


def soc2() -> dict[str, tuple[str, int | None]]:
    """SOC 2 criterion → (title without the COSO suffix, COSO principle)."""
    out = {}
    for line in _lines():
        m = re.match(r"^- ((?:CC|A|C|PI|P)\d\.\d) – (.+)$", line)
        if m:
            title = m.group(2).strip()
            coso = re.search(r"\s*\(COSO P(\d+)\)$", title)
            if coso:
                title = title[: coso.start()]
            out[m.group(1)] = (title, int(coso.group(1)) if coso else None)
    return out


def legacy() -> dict[str, tuple[str, list[str]]]:
    """2013 ID → (2013 title, 2022 successors)."""
    out = {}
    for line in _lines():
        m = re.match(r"^\| (A\.\d+\.\d+\.\d+) \| (.+?) \| (.+?) \|$", line)
        if m:
            out[m.group(1)] = (m.group(2), [s.strip() for s in m.group(3).split(",")])
    return out
