"""Security questionnaires: the answer library, drafting from the organisation's own content, files in and out."""

from core.questionnaires.model import (
    STATUSES,
    AnsweredRow,
    Draft,
    LibraryImportError,
    QuestionnaireError,
    Source,
    question_key,
)

__all__ = [
    "STATUSES",
    "AnsweredRow",
    "Draft",
    "LibraryImportError",
    "QuestionnaireError",
    "Source",
    "question_key",
]
