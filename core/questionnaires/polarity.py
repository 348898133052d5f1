"""Whether a library answer answers this question: same subject, same kind of question, same polarity."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Sequence

from core.questionnaires.model import Draft, fold

# Things that happen to an organisation: a questionnaire asking whether they happened wants an
# admission or a denial, which only the organisation itself can give.
_EVENT = (
    r"breach(?:es|ed)?|violations?|violated|incidents?|fines?|fined|penalt(?:y|ies)|"
    r"litigation|lawsuits?|legal (?:action|proceedings?|claims?)|sued|sanctions?|"
    r"enforcement actions?|investigations?|compromised?|ransomware|data loss|outages?|"
    r"sub-?processors?"
)
_BEFORE = re.compile(
    r"\b(?:had|have there been|has there been|were there|was there|experienced|suffered|"
    r"received|paid|been (?:subject|party|involved|notified|fined|sued|breached|compromised)|"
    r"changed|added|replaced|reported|disclosed|ever)\b[^?.;]{0,60}?\b(?:" + _EVENT + r")\b",
    re.IGNORECASE,
)
_PROCESS = r"(?:response|management|handling|plan|policy|policies|procedures?|process(?:es)?|team|notification process)"
_DONE_TO = re.compile(
    r"\bbeen (?:fined|sued|breached|compromised|penali[sz]ed|sanctioned|prosecuted|hacked)\b",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"\b(?:" + _EVENT + r")\b(?!\s+" + _PROCESS + r"\b)[^?.;]{0,50}?\b(?:occurred|happened|"
    r"took place|in the (?:last|past|previous)|during the (?:last|past)|within the (?:last|past)|"
    r"since)\b",
    re.IGNORECASE,
)
_CLOSED = re.compile(
    r"^\s*(?:\(?(?:[a-z]{1,8}[-_.]?\d[\w.-]*|\d+(?:\.\d+)*\.?)\)?\s+)?(?:do|does|did|is|are|was|were|has|have|had|can|could|will|"
    r"would|shall|should|may|must)\b",
    re.IGNORECASE,
)
# Words every questionnaire uses whatever it asks: they say nothing about the subject.
_GENERIC_WORDS = """
    a an the and or of for to in on at by with from as is are be been being do does did you your
    yours we our us it its this that these those there their they have has had any all each every
    which what who whom whose how when where why if whether please provide describe explain list
    state detail details confirm indicate organisation organization company vendor supplier
    provider service services policy policies procedure procedures process processes documented
    document documents documentation established establish maintained maintain maintains
    implemented implement reviewed review approved approve management manage managed managing
    place exist exists existing formal formally defined define program programme programs
    yes no not n/a na other such including include includes used use using ensure ensures
    within place regularly regular least annually periodically appropriate applicable relevant
    related relating regarding based support supports supported require required requirements
    information controls control can often find share current latest
"""
_GENERIC = frozenset(_GENERIC_WORDS.split())


_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ed", "es", "s")
SUBJECT_SHARE = 0.34  # of the question's subject words found in the library question or answer


def asks_about_event(question: str) -> bool:
    """True for questions asking whether something happened: breaches, violations, fines, changes."""
    return any(p.search(question) for p in (_BEFORE, _DONE_TO, _AFTER))


def closed(question: str) -> bool:
    """A yes/no question: `Do you…`, `Are … established?`, `IAM-01 Is MFA required?`."""
    return bool(_CLOSED.match(question))


def answer_polarity(answer: str) -> str | None:
    """Yes or No when the answer says so in its first word, else None."""
    first = re.match(r"\s*([A-Za-z]+)", answer)
    word = first.group(1).lower() if first else ""
    return {"yes": "Yes", "no": "No"}.get(word)


def stems(text: str) -> set[str]:
    """The subject words of a text, cut to a common stem (`encrypted`, `encryption` → `encry`)."""
    words = re.findall(r"[a-z0-9]+(?:[-/][a-z0-9]+)*", text.lower())
    return {_stem(w) for w in words if w not in _GENERIC and len(w) > 1}


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)][:5]
    return word[:5]


def covers(question: str, text: str, share: float = SUBJECT_SHARE) -> bool:
    """At least `share` of the question's subject words are in the text (no subject words: True)."""
    wanted = stems(question)
    return not wanted or len(wanted & stems(text)) >= share * len(wanted)


def same_question(question: str, library_question: str, library_answer: str) -> bool:
    """A library answer fits when it is about the same subject and the same kind of question."""
    if asks_about_event(question) and not asks_about_event(library_question):
        return False
    return covers(question, f"{library_question} {library_answer}")


# One library answer drafting more distinct questions than this in one file is answering a topic,
# not a question (a generic "we have a policy" answer spread over every "is there a policy for X").
REUSE_LIMIT = 5
EXACT = 0.999


def _library_source(draft: Draft) -> str | None:
    first = draft.sources[0] if draft.sources else None
    return first.id if first is not None and first.kind == "library" and draft.answer else None


def limit_reuse(questions: Sequence[str], drafts: Sequence[Draft]) -> list[Draft]:
    """Rows drafted by an over-used library answer become needs_review, the answer only a suggestion."""
    users: dict[str, set[str]] = defaultdict(set)
    for question, draft in zip(questions, drafts, strict=True):
        source = _library_source(draft)
        if source is not None and draft.confidence < EXACT:
            users[source].add(fold(question))
    over = {source for source, asked in users.items() if len(asked) > REUSE_LIMIT}
    if not over:
        return list(drafts)
    out = []
    for draft in drafts:
        if _library_source(draft) in over and draft.confidence < EXACT:
            draft = dataclasses.replace(
                draft,
                answer="",
                status="needs_review",
                library_id=None,
                choice=None,
                suggestion=draft.answer,
            )
        out.append(draft)
    return out
