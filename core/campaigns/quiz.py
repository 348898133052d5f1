"""Campaign quizzes: a small YAML file of multiple-choice questions and a pass mark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import DomainError


class QuizError(DomainError):
    """The quiz file is not usable; the message says why."""


class Question(BaseModel):
    """One multiple-choice question; `answer` is the index of the right choice."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1)
    choices: list[str] = Field(min_length=2, max_length=10)
    answer: int

    @model_validator(mode="after")
    def _answer_in_range(self) -> Question:
        if not 0 <= self.answer < len(self.choices):
            raise ValueError(f"answer must be the index of a choice (0 to {len(self.choices) - 1})")
        return self


class Quiz(BaseModel):
    """Questions and the share (0-1) of right answers needed to pass."""

    model_config = ConfigDict(extra="forbid")

    pass_mark: float = Field(default=0.8, gt=0, le=1)
    questions: list[Question] = Field(min_length=1, max_length=20)


def load(path: Path) -> Quiz:
    """Read and validate a quiz file."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QuizError(f"cannot read quiz {path}: {exc}") from None
    return parse(raw, source=f"quiz {path}")


def parse(raw: str, *, source: str = "quiz") -> Quiz:
    """Validate quiz YAML given as text (a file's content or what was pasted in a form)."""
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError:
        raise QuizError(f"{source} is not valid YAML") from None
    try:
        return Quiz.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise QuizError(f"{source}: {where}: {first['msg']}") from None


def grade(quiz: Quiz, answers: dict[int, int]) -> tuple[float, bool]:
    """Share of right answers and whether that passes."""
    right = sum(1 for i, q in enumerate(quiz.questions) if answers.get(i) == q.answer)
    score = right / len(quiz.questions)
    return score, score + 1e-9 >= quiz.pass_mark


def as_dict(quiz: Quiz) -> dict[str, Any]:
    """The quiz as stored on the campaign row."""
    return quiz.model_dump()
