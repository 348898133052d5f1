"""Parsing and normalising control identifiers as people type them (A.5.15, a 5 15, cc6.1, clause 7.2)."""

from __future__ import annotations

import re

_SEP = r"\s*[.\s]\s*"
# "Annex A 5.15", "A.5.15", "a 5 15", "A.12.4.1" (2013).
_ANNEX = re.compile(
    rf"\b(?:annex\s*)?a\s*[.\s]?\s*(\d{{1,2}}){_SEP}(\d{{1,2}})(?:{_SEP}(\d{{1,2}}))?(?![\d.]*\d)",
    re.IGNORECASE,
)
# "CC6.1", "cc 6 1", "A1.2", "PI1.3", "P6.1".
_SOC2 = re.compile(r"\b(cc|pi|a|c|p)\s*(\d)\s*[.\s]\s*(\d{1,2})\b", re.IGNORECASE)
# "clause 7.2", "section 9.3.2", "cl. 6.1.2", "clause 4".
_CLAUSE = re.compile(
    r"\b(?:clause|clauses|section|cl\.?)\s*(\d{1,2}(?:\.\d{1,2}){0,2})\b", re.IGNORECASE
)
# A bare dotted number: "7.2", "5.15", "12.4.1".
_BARE = re.compile(r"(?<![\w.])(\d{1,2}(?:\.\d{1,2}){1,2})(?![\w.]*\d)")


def _soc2_id(prefix: str, major: str, minor: str) -> str:
    return f"{prefix.upper()}{int(major)}.{int(minor)}"


def _annex_candidates(parts: list[str]) -> list[str]:
    nums = [str(int(p)) for p in parts]
    return ["A." + ".".join(nums)]


def _bare_candidates(number: str) -> list[str]:
    nums = [str(int(p)) for p in number.split(".")]
    dotted = ".".join(nums)
    # A clause wins over an Annex A number that looks the same (5.1 is "Leadership and commitment").
    return [dotted, "A." + dotted]


def candidates(text: str) -> list[str]:
    """Every plausible canonical ID mentioned in text, most specific first, without duplicates."""
    found: list[tuple[int, list[str]]] = []
    taken: list[tuple[int, int]] = []

    def free(span: tuple[int, int]) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b in taken)

    for match in _SOC2.finditer(text):
        prefix, major, minor = match.groups()
        # "A1.2" is SOC 2 availability, but "A 5 15" is Annex A: decide by the first number.
        if prefix.lower() == "a" and major != "1":
            continue
        taken.append(match.span())
        found.append((match.start(), [_soc2_id(prefix, major, minor)]))
    for match in _ANNEX.finditer(text):
        if not free(match.span()):
            continue
        taken.append(match.span())
        found.append((match.start(), _annex_candidates([g for g in match.groups() if g])))
    for match in _CLAUSE.finditer(text):
        if not free(match.span()):
            continue
        taken.append(match.span())
        found.append((match.start(), [".".join(str(int(p)) for p in match.group(1).split("."))]))
    for match in _BARE.finditer(text):
        if not free(match.span()):
            continue
        taken.append(match.span())
        found.append((match.start(), _bare_candidates(match.group(1))))
    ordered: list[str] = []
    for _, group in sorted(found, key=lambda item: item[0]):
        for cid in group:
            if cid not in ordered:
                ordered.append(cid)
    return ordered


def groups(text: str) -> list[list[str]]:
    """Candidate IDs per mention, in the order mentioned (each group: alternatives, best first)."""
    result: list[list[str]] = []
    seen: set[str] = set()
    for cid in candidates(text):
        if cid.startswith("A.") and cid[2:] in seen:
            result[-1].append(cid)
        else:
            result.append([cid])
        seen.add(cid)
    return result


def canonical(raw: str) -> list[str]:
    """Candidate canonical IDs for a string that is meant to be one ID (for `catalogue show`)."""
    text = raw.strip()
    if not text:
        return []
    if text.lower().startswith("topic.") or text.lower().startswith("org."):
        return [text.lower()]
    found = candidates(text)
    return found or [text]


def spans(text: str) -> list[tuple[int, int]]:
    """Character spans of everything in text that reads as an ID, so text repairs leave it alone."""
    return [m.span() for rx in (_SOC2, _ANNEX, _CLAUSE, _BARE) for m in rx.finditer(text)]
