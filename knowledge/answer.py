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
    # Issue 27: the organisation's policy leads when it matches well; citation is the control.
    citation: Hit | None = None
    close: list[Hit] = field(default_factory=list)  # 2-3 candidates too close to pick one

    @property
    def close_call(self) -> bool:
        """Whether the first candidates were too close to present one of them confidently."""
        return len(self.close) >= 2

    @property
    def hits(self) -> list[Hit]:
        """Best first, then its citation and related."""
        cited = [self.citation] if self.citation else []
        return ([self.best] if self.best else []) + cited + self.related

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


# A policy leads when it scores within POLICY_MARGIN of the best entry, or within
# POLICY_CITED_MARGIN when it cites one of the top three (it is the organisation's rule for them).
POLICY_MARGIN = 0.06
POLICY_CITED_MARGIN = 0.12
# The first two or three are a close call when within CLOSE_MARGIN of the first. On the tune
# split 0.015 makes 16% of situational and 17% of how-to answers close calls; the first was
# right in 61% / 40% of those, one of the two or three in 76% / 67%.
CLOSE_MARGIN = 0.015


def _policy_first(hits: list[Hit], policy: Hit | None) -> tuple[list[Hit], Hit | None]:
    """Hits with a well-matching policy first, and the catalogue control it cites."""
    top = hits[0]
    if top.via != "search" or policy is None:
        return hits, None
    if top.entry.framework != "org":
        leading = [h.entry.id for h in hits[:3] if h.entry.framework != "org"]
        cites_top = any(cid in policy.entry.cites for cid in leading)
        margin = POLICY_CITED_MARGIN if cites_top else POLICY_MARGIN
        if policy.score < top.score - margin:
            return hits, None
    catalogue_hits = [h for h in hits if h.entry.framework != "org"]
    citation = next((h for h in catalogue_hits if h.entry.id in policy.entry.cites), None)
    if citation is None and catalogue_hits:
        citation = catalogue_hits[0]
    shown = {policy.entry.id} | ({citation.entry.id} if citation else set())
    return [policy, *(h for h in hits if h.entry.id not in shown)], citation


def _close(hits: list[Hit]) -> list[Hit]:
    """The first two or three search hits when they are too close to call, else nothing."""
    if len(hits) < 2 or hits[0].via != "search":
        return []
    close = [hits[0]] + [h for h in hits[1:3] if h.score >= hits[0].score - CLOSE_MARGIN]
    return close if len(close) >= 2 else []


def compose(result: SearchResult, catalogue: Catalogue, *, min_score: float) -> Answer:
    """Pick the best entry (a policy first), related ones, equivalents, close calls, 2013 notes."""
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
    confident = hits[0].via != "search" or hits[0].score >= min_score
    if not confident:
        return Answer(
            result.query,
            False,
            None,
            related=hits[:3],
            framework=result.framework,
            truncated=result.truncated,
        )
    hits, citation = _policy_first(hits, result.policy)
    best = hits[0]
    answer = Answer(
        query=result.query,
        confident=True,
        best=best,
        related=hits[1:5],
        framework=result.framework,
        truncated=result.truncated,
        citation=citation,
        close=[] if citation else _close(hits),
    )
    control = citation.entry if citation else best.entry
    answer.equivalents = _equivalents(catalogue, control)
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


ONE_LINE_CHARS = 160


def one_line(entry: Entry) -> str:
    """The first sentence of an entry's summary, short enough to sit beside another."""
    text = " ".join(entry.summary.split())
    sentence = text.split(". ")[0].rstrip(".") + "."
    if len(sentence) > ONE_LINE_CHARS:
        sentence = sentence[: ONE_LINE_CHARS - 1].rsplit(" ", 1)[0] + "\u2026"
    return sentence


def close_call_intro(answer: Answer) -> str:
    """What a close call says before the candidates."""
    count = "Two" if len(answer.close) == 2 else "Three"
    return (
        f"{count} entries fit your question about equally well, so I won't pick one for you. "
        "Which is closer to what you mean?"
    )


CLOSE_CALL_HINT = "Ask again naming one (e.g. its ID) for what it requires and the evidence."


def _close_call_lines(answer: Answer) -> list[str]:
    lines = [close_call_intro(answer)]
    lines += [
        f"  {n}. {label(h.entry)}: {one_line(h.entry)}" for n, h in enumerate(answer.close, 1)
    ]
    lines.append(CLOSE_CALL_HINT)
    others = [h for h in answer.related if h not in answer.close]
    if others:
        lines.append("Also related:")
        lines += [f"  - {label(h.entry)}" for h in others]
    return lines


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
    if answer.close_call:
        return "\n".join(lines + _close_call_lines(answer))
    entry = answer.best.entry
    if answer.legacy_note:
        lines.append(answer.legacy_note)
    lines.append(label(entry))
    lines.append(_wrap(entry.summary))
    if answer.citation is not None:
        # Our rule first; the control it implements is the citation, not the lead.
        if entry.guidance:
            lines.append(_wrap(entry.guidance))
        cited = answer.citation.entry
        lines.append(f"Based on: {label(cited)}: {one_line(cited)}")
        entry = cited
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
