"""Pydantic schema of catalogue entries, legacy IDs and crosswalk pairs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Framework = Literal["iso27001", "soc2", "topic", "org"]
Kind = Literal["clause", "annex_a", "criterion", "topic", "policy", "control"]
Cadence = Literal[
    "continuous", "per_event", "weekly", "monthly", "quarterly", "semiannual", "annual", "as_needed"
]
Theme = Literal["organizational", "people", "physical", "technological"]
Category = Literal["security", "availability", "confidentiality", "processing_integrity", "privacy"]
Strength = Literal["equivalent", "partial", "related"]
QUESTIONS_PER_ENTRY = (4, 8)  # situations per standard entry, in staff's words
QUESTION_MAX_CHARS = 200

FRAMEWORK_LABELS = {
    "iso27001": "ISO 27001",
    "soc2": "SOC 2",
    "topic": "Topic",
    "org": "Our policies",
}

_KIND_FOR_FRAMEWORK: dict[str, set[str]] = {
    "iso27001": {"clause", "annex_a"},
    "soc2": {"criterion"},
    "topic": {"topic"},
    "org": {"policy", "control"},
}


def _non_blank(value: str) -> str:
    if not value or not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


class Entry(BaseModel):
    """One searchable entry: a clause, an Annex A control, a SOC 2 criterion, a topic or org content."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    framework: Framework
    kind: Kind
    title: str
    summary: str
    guidance: str = ""
    evidence: list[str] = Field(default_factory=list)
    cadence: Cadence = "annual"
    keywords: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)
    theme: Theme | None = None
    new_in_2022: bool | None = None
    category: Category | None = None
    coso_principle: int | None = Field(default=None, ge=1, le=17)
    cites: list[str] = Field(default_factory=list)
    source: str = ""

    @field_validator("id", "title", "summary")
    @classmethod
    def _required_text(cls, value: str) -> str:
        return _non_blank(value)

    @field_validator("evidence", "keywords")
    @classmethod
    def _no_blank_items(cls, value: list[str]) -> list[str]:
        return [_non_blank(str(item)) for item in value]

    @field_validator("questions", mode="before")
    @classmethod
    def _short_questions(cls, value: object) -> object:
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError("must be a list of short questions")
        out: list[str] = []
        for n, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                raise ValueError(f"item {n} must be a non-empty string")
            text = " ".join(item.split())
            if len(text) > QUESTION_MAX_CHARS:
                raise ValueError(f"item {n} is longer than {QUESTION_MAX_CHARS} characters")
            if text.lower() in (seen.lower() for seen in out):
                raise ValueError(f"item {n} repeats an earlier question")
            out.append(text)
        return out

    @model_validator(mode="after")
    def _kind_rules(self) -> Entry:
        if self.kind not in _KIND_FOR_FRAMEWORK[self.framework]:
            raise ValueError(f"kind '{self.kind}' does not belong to framework '{self.framework}'")
        if self.framework != "org":
            if not self.guidance.strip():
                raise ValueError("guidance: must not be empty")
            if not 3 <= len(self.evidence) <= 6:
                raise ValueError(f"evidence: needs 3 to 6 items, has {len(self.evidence)}")
            if not self.keywords:
                raise ValueError("keywords: must list at least one keyword")
            low, high = QUESTIONS_PER_ENTRY
            # Optional while content is written; once given, a standard entry has the full set.
            if self.questions and not low <= len(self.questions) <= high:
                raise ValueError(
                    f"questions: needs {low} to {high} items, has {len(self.questions)}"
                )
        elif len(self.questions) > QUESTIONS_PER_ENTRY[1]:
            raise ValueError(f"questions: at most {QUESTIONS_PER_ENTRY[1]} items")
        if self.kind == "annex_a" and (self.theme is None or self.new_in_2022 is None):
            raise ValueError("an Annex A control needs theme and new_in_2022")
        if self.kind != "annex_a" and (self.theme is not None or self.new_in_2022 is not None):
            raise ValueError("theme and new_in_2022 belong to Annex A controls only")
        if self.kind == "criterion" and self.category is None:
            raise ValueError("a SOC 2 criterion needs category")
        if self.kind != "criterion" and (self.category or self.coso_principle):
            raise ValueError("category and coso_principle belong to SOC 2 criteria only")
        if self.kind == "topic" and not self.cites:
            raise ValueError("a topic needs cites: the clauses or criteria it touches")
        return self


class LegacyId(BaseModel):
    """An ISO 27001:2013 identifier and the 2022 entries it became."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    successors: list[str] = Field(min_length=1)
    note: str = ""


class NewId(BaseModel):
    """A 2022 identifier that had no 2013 predecessor, with our note saying so."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    note: str

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        return _non_blank(value)


class CrosswalkPair(BaseModel):
    """One SOC 2 criterion ↔ ISO 27001 pair with our rationale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    soc2: str
    iso: str
    strength: Strength
    rationale: str

    @field_validator("rationale")
    @classmethod
    def _rationale(cls, value: str) -> str:
        return _non_blank(value)


class Unmapped(BaseModel):
    """An ID with no counterpart in the other framework, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    reason: str

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return _non_blank(value)
