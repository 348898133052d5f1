"""Turns search results into a structured answer, and that answer into plain text."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from knowledge.catalogue import Catalogue, Link
from knowledge.schema import FRAMEWORK_LABELS, Entry
from knowledge.search import Hit, SearchResult


@dataclass(frozen=True)
class Equivalent:
    """A crosswalk counterpart of the best entry in the other framework."""

    id: str
    title: str
    strength: str
    rationale: str


@dataclass
class Answer:
    """Everything a surface needs to show an answer; no Slack or terminal in it."""

    query: str
    confident: bool
    best: Hit | None
    related: list[Hit] = field(default_factory=list)
    equivalents: list[Equivalent] = field(default_factory=list)
    legacy_note: str | None = None
    clause_note: str | None = None
    framework: str | None = None
    truncated: bool = False
    took_ms: float = 0.0
    declined: bool = False  # not about security or compliance: no control offered

    @property
    def hits(self) -> list[Hit]:
        """Best first, then related."""
        return ([self.best] if self.best else []) + self.related

    @property
    def confidence(self) -> float:
        """Score of the best hit."""
        return self.best.score if self.best else 0.0


def _equivalents(catalogue: Catalogue, entry: Entry) -> list[Equivalent]:
    links: list[Link] = catalogue.crosswalk(entry.id)
    out = []
    for link in links[:4]:
        target = catalogue.entries.get(link.target)
        if target is not None:
            out.append(Equivalent(target.id, target.title, link.strength, link.rationale))
    return out


def compose(result: SearchResult, catalogue: Catalogue, *, min_score: float) -> Answer:
    """Pick the best entry, related ones, crosswalk equivalents and any 2013 note."""
    hits = result.hits
    if not result.in_scope:
        return Answer(
            result.query,
            False,
            None,
            framework=result.framework,
            truncated=result.truncated,
            declined=True,
        )
    if not hits:
        return Answer(result.query, False, None, framework=result.framework)
    best = hits[0]
    confident = best.via != "search" or best.score >= min_score
    answer = Answer(
        query=result.query,
        confident=confident,
        best=best if confident else None,
        related=hits[1:5] if confident else hits[:3],
        framework=result.framework,
        truncated=result.truncated,
    )
    if not confident:
        return answer
    answer.equivalents = _equivalents(catalogue, best.entry)
    if best.legacy is not None:
        others = [s for s in best.legacy.successors if s != best.entry.id]
        also = f" (and {', '.join(others)})" if others else ""
        answer.legacy_note = (
            f"{best.legacy.id} \u201c{best.legacy.title}\u201d is a 2013 ID: in ISO 27001:2022 it "
            f"became {best.entry.id} {best.entry.title}{also}."
        )
    note = catalogue.edition_note(best.entry.id)
    if note is not None and best.via == "id":
        answer.clause_note = note
    return answer


DECLINE = (
    "That doesn't look like a question about security, privacy or compliance, so I have no control "
    "to point you to. I can help with ISO 27001 clauses and Annex A controls, SOC 2 criteria, how "
    "the audits work, what evidence auditors expect, and our own security policies."
)
DECLINE_EXAMPLES = (
    "For example: \u201cdo contractors need security training?\u201d, \u201cA.5.15\u201d "
    "or \u201cwe emailed a customer list to the wrong person\u201d."
)


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(
        " ".join(text.split()), width=96, initial_indent=indent, subsequent_indent=indent
    )


def label(entry: Entry) -> str:
    """`A.5.15 Access control (ISO 27001)` style label."""
    return f"{entry.id} {entry.title} ({FRAMEWORK_LABELS[entry.framework]})"


def render_text(answer: Answer) -> str:
    """The answer as readable plain text for the console, the CLI and Slack fallbacks."""
    lines: list[str] = []
    if answer.truncated:
        lines.append("(Your question was long: I used its first 1,000 characters.)")
    if answer.declined:
        return "\n".join([*lines, DECLINE, DECLINE_EXAMPLES])
    if not answer.confident or answer.best is None:
        lines.append(
            "I don't have a confident answer to that in the catalogue. "
            "I've noted it as a knowledge gap for the security team."
        )
        if answer.related:
            lines.append("The nearest entries I have:")
            lines += [f"  - {label(h.entry)}" for h in answer.related]
        lines.append("Try naming a control (e.g. A.5.15, CC6.1) or use different words.")
        return "\n".join(lines)
    entry = answer.best.entry
    if answer.legacy_note:
        lines.append(answer.legacy_note)
    lines.append(label(entry))
    lines.append(_wrap(entry.summary))
    if answer.clause_note:
        lines.append(_wrap(f"Note: {answer.clause_note}"))
    if entry.evidence:
        lines.append("What auditors expect as evidence:")
        lines += [f"  - {item}" for item in entry.evidence]
    if entry.cites:
        lines.append(f"See also: {', '.join(entry.cites)}")
    if answer.equivalents:
        other = "SOC 2" if entry.framework == "iso27001" else "ISO 27001"
        lines.append(f"{other} counterparts:")
        lines += [f"  - {e.id} {e.title} [{e.strength}]: {e.rationale}" for e in answer.equivalents]
    if answer.related:
        lines.append("Related:")
        lines += [f"  - {label(h.entry)}" for h in answer.related]
    return "\n".join(lines)
