"""What drafting produces: sources, a drafted answer per question, and the domain's errors."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from core.errors import DomainError

STATUSES = ("approved", "suggested", "needs_review")
SOURCE_KINDS = ("library", "control", "policy", "catalogue")
_END_PUNCTUATION = " ?.!:;*"


class QuestionnaireError(DomainError):
    """A questionnaire or library file cannot be used as given; the message says what to do."""


class LibraryImportError(QuestionnaireError):
    """The library file has problems; nothing was imported. Each problem names its line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "library not imported, nothing changed:\n" + "\n".join(f"  {p}" for p in problems)
        )


def fold(question: str) -> str:
    """The question as compared: case, runs of spaces and end punctuation ignored."""
    return " ".join(question.split()).casefold().strip(_END_PUNCTUATION)


def question_key(question: str) -> str:
    """A fixed-length key for one question (the library's unique column)."""
    return hashlib.sha256(fold(question).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Source:
    """Where a sentence of an answer comes from: a library entry, register control, policy or catalogue ID."""

    id: str
    kind: str

    def as_json(self) -> dict[str, str]:
        """The source as --json prints it."""
        return {"id": self.id, "kind": self.kind}

    @staticmethod
    def parse_all(raw: Any) -> tuple[Source, ...]:
        """Sources stored as JSON back into Source objects."""
        return tuple(Source(str(s["id"]), str(s["kind"])) for s in raw or [] if isinstance(s, dict))


def sources_text(sources: tuple[Source, ...] | list[Source]) -> str:
    """Sources as one spreadsheet cell: `A.8.5 (catalogue); AC-02 (control)`."""
    return "; ".join(f"{s.id} ({s.kind})" for s in sources)


_SOURCE_CELL = re.compile(r"^(?P<id>.+?)\s*\((?P<kind>[a-z]+)\)$")


def split_sources(cell: str) -> list[tuple[str, str | None]]:
    """A sources cell split into (id, kind-or-None): `A.8.5 (catalogue); AC-02` or `A.8.5, AC-02`."""
    out: list[tuple[str, str | None]] = []
    for part in re.split(r"[;,\n]", cell or ""):
        part = part.strip()
        if not part:
            continue
        match = _SOURCE_CELL.match(part)
        if match and match["kind"] in SOURCE_KINDS:
            out.append((match["id"].strip(), match["kind"]))
        else:
            out.append((part, None))
    return out


@dataclass(frozen=True)
class Draft:
    """One drafted answer: the text, its status, how sure we are, and what it cites."""

    answer: str
    status: str  # approved, suggested, needs_review
    confidence: float
    sources: tuple[Source, ...] = ()
    library_id: int | None = None  # the library entry an approved answer came from
    choice: str | None = None  # Yes, No or N/A when the organisation's own records say so
    suggestion: str = ""  # a library answer offered to the reviewer, not given as the answer


@dataclass(frozen=True)
class AnsweredRow:
    """One question of a questionnaire (its spreadsheet row) with its draft."""

    row: int
    question: str
    draft: Draft
    sheet: str = ""  # the workbook sheet ("" for a CSV)
    id: str = ""  # the question's own ID in the file (`IAM-04.1`), "" when it has none
    section: str = ""  # the section heading above the question

    def as_json(self) -> dict[str, Any]:
        """The documented --json object: sheet, row, id, question, answer, choice, status, confidence, sources."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "id": self.id,
            "question": self.question,
            "answer": self.draft.answer,
            "choice": self.draft.choice,
            "suggestion": self.draft.suggestion,
            "status": self.draft.status,
            "confidence": round(self.draft.confidence, 2),
            "sources": [s.as_json() for s in self.draft.sources],
        }
