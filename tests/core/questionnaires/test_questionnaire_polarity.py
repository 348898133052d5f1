"""Never a wrong "Yes": library answers reused only for the same question, events only from the library."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.db import Database
from core.questionnaires import AnsweredRow, Draft
from core.questionnaires.drafting import ControlFacts, Thresholds, own_choice
from core.questionnaires.library import approve
from core.questionnaires.polarity import REUSE_LIMIT, asks_about_event, same_question
from core.questionnaires.service import answer_questionnaire
from core.questionnaires.writing import SUGGESTION, explanation
from knowledge.search import Searcher
from tests.questionnaire_support import accept_evidence, fake_searcher, import_examples

# Thresholds that would reuse almost any library answer: the rules, not the scores, must refuse.
LOOSE = Thresholds(library=0.2, library_suggestion=0.2)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    return fake_searcher(tmp_path_factory.mktemp("polindex"))


@pytest.fixture
def db(database_url: str, searcher: Searcher) -> Database:
    db = Database(database_url)
    import_examples(db, searcher.catalogue)
    return db


def _drafts(db: Database, searcher: Searcher, questions: list[str], **kwargs: Any) -> list[Draft]:
    content = ("Question\n" + "\n".join(questions) + "\n").encode()
    with db.session_scope() as session:
        answered = answer_questionnaire(
            "q.csv", content, db_session=session, searcher=searcher, zone=UTC, **kwargs
        )
    return [row.draft for row in answered.rows]


@pytest.mark.parametrize(
    "question",
    [
        "Have you had any violations of your privacy policies or laws?",
        "Have you experienced a data breach in the past three years?",
        "Has your company been fined by a data protection authority?",
        "Is there any litigation pending against you, or has there been any in the last 5 years?",
        "Have you changed any subprocessors since our last assessment?",
    ],
)
def test_an_event_question_is_never_answered_from_a_library_answer_about_something_else(
    db: Database, searcher: Searcher, question: str
) -> None:
    assert asks_about_event(question)
    draft = _drafts(db, searcher, [question], thresholds=LOOSE)[0]
    assert draft.status == "needs_review" and draft.answer == "" and draft.choice is None


def test_the_same_loose_thresholds_do_reuse_an_answer_to_a_question_on_the_same_subject(
    db: Database, searcher: Searcher
) -> None:
    draft = _drafts(db, searcher, ["Is your privacy policy published?"], thresholds=LOOSE)[0]
    assert draft.status == "approved" and draft.answer.startswith("Yes. Our privacy notice")
    assert draft.choice == "Yes"


def test_an_event_question_the_library_holds_is_answered_from_it(
    db: Database, searcher: Searcher
) -> None:
    question = "Have you had any personal data breaches in the last three years?"
    with db.session_scope() as session:
        approve(
            question,
            "No. We have had no personal data breaches in the last three years.",
            [],
            db_session=session,
            actor="USEC1",
            via="test",
        )
    draft = _drafts(db, searcher, [question])[0]
    assert draft.status == "approved" and draft.choice == "No"


def test_a_generic_policy_answer_does_not_answer_a_policy_question_on_another_subject(
    db: Database, searcher: Searcher
) -> None:
    question = "Are policies and procedures for asset management established?"
    library_q = "Is there a documented information security policy approved by management?"
    assert not same_question(question, library_q, "Yes. Our information security policy ...")
    draft = _drafts(db, searcher, [question], thresholds=LOOSE)[0]
    assert not draft.answer.startswith("Yes. Our information security policy")
    assert draft.status != "approved"


TEAM_QUESTIONS = [
    "Is the security team dedicated?",
    "Do you have a security team?",
    "Does a dedicated security team exist?",
    "Is there a dedicated team for security?",
    "Is the security team led by a head of security?",
    "Does the security team report to the executive team?",
    "Does the security team own the risk register?",
]


def test_one_library_answer_drafting_many_different_questions_leaves_them_for_review(
    db: Database, searcher: Searcher
) -> None:
    few = _drafts(db, searcher, TEAM_QUESTIONS[:REUSE_LIMIT], thresholds=LOOSE)
    assert all(d.status == "approved" and d.answer.startswith("Yes. A security team") for d in few)
    many = _drafts(db, searcher, TEAM_QUESTIONS, thresholds=LOOSE)
    assert len(TEAM_QUESTIONS) > REUSE_LIMIT
    for draft in many:
        assert draft.status == "needs_review" and draft.answer == "" and draft.choice is None
        assert draft.suggestion.startswith("Yes. A security team")
        assert draft.sources[0].id.startswith("LIB-")
    row = AnsweredRow(5, TEAM_QUESTIONS[0], many[0])
    assert explanation(row) == SUGGESTION + many[0].suggestion


def test_the_exact_library_question_keeps_its_answer_even_when_the_answer_is_overused(
    db: Database, searcher: Searcher
) -> None:
    exact = "Do you have a dedicated information security team?"
    drafts = _drafts(db, searcher, [*TEAM_QUESTIONS, exact], thresholds=LOOSE)
    assert drafts[-1].status == "approved" and drafts[-1].choice == "Yes"
    assert drafts[0].status == "needs_review"


def test_yes_is_filled_only_from_a_control_with_accepted_evidence_not_from_the_register_alone(
    db: Database, searcher: Searcher
) -> None:
    no_policy = Thresholds(policy=0.99)
    question = "Are user access rights reviewed every quarter?"
    planned = _drafts(db, searcher, [question], thresholds=no_policy)[0]
    assert planned.status == "suggested" and "AC-01" in planned.answer
    assert planned.choice is None
    accept_evidence(db, "AC-01", datetime(2026, 10, 2, 12, tzinfo=UTC))
    operating = _drafts(db, searcher, [question], thresholds=no_policy)[0]
    assert operating.choice == "Yes"


def _control(applicable: bool, accepted: bool) -> ControlFacts:
    when = datetime(2026, 1, 1).date() if accepted else None
    return ControlFacts("X-1", "t", ("A.8.5",), "annual", "o", applicable, "cloud", when)


def test_own_choice_never_says_yes_from_background_or_planned_controls() -> None:
    question = "Is MFA required?"
    assert own_choice(question, None, []) is None
    assert own_choice(question, None, [_control(True, False)]) is None
    assert own_choice(question, None, [_control(True, True)]) == "Yes"
    assert own_choice(question, None, [_control(False, False)]) == "N/A"
    # N/A only when every control found is excluded; one operating control answers Yes.
    assert own_choice(question, None, [_control(False, False), _control(True, True)]) == "Yes"


def test_a_policy_fills_yes_only_for_a_question_on_its_subject(searcher: Searcher) -> None:
    from knowledge.search import Hit

    policy = Hit(searcher.catalogue.entries["org.cryptography"], 0.6)
    assert own_choice("Is customer data encrypted at rest?", policy, []) == "Yes"
    asked = "Are policies and procedures for mobile code and browser extensions defined?"
    assert own_choice(asked, policy, []) is None
    assert own_choice("Is data encrypted?", Hit(policy.entry, 0.6, via="cites"), []) is None
