"""Issue 27's answer design: SOC 2 scope in ranking, the organisation's policy first, close calls."""

from __future__ import annotations

import numpy as np
import pytest

from bot.blocks.answer import answer_blocks
from knowledge import scope
from knowledge.answer import compose, render_text
from knowledge.catalogue import Catalogue, load_org, load_standard
from knowledge.search import Hit, Searcher, SearchResult
from knowledge.security_terms import mentions_security
from tests.fakes import FakeEmbedder
from tests.paths import EXAMPLES


@pytest.fixture(scope="module")
def standard() -> Catalogue:
    return load_standard()


@pytest.fixture(scope="module")
def with_policies() -> Catalogue:
    cat = load_standard()
    assert not load_org(EXAMPLES / "policies", cat)
    return cat


def _rank(searcher: Searcher, text: str) -> list[str]:
    return [h.entry.id for h in searcher.rank(text)]


# --------------------------------------------------------------------------- scope-aware ranking


def test_criteria_outside_the_scope_step_back_by_the_penalty(standard: Catalogue) -> None:
    everything = Searcher(standard, FakeEmbedder())
    security = Searcher(standard, FakeEmbedder(), soc2_categories=["security"])
    text = "disclosure to third parties and a record of what was shared"
    before, after = everything.score(text).combined, security.score(text).combined
    penalty = security.tuning.out_of_scope_penalty
    for i, entry in enumerate(security.entries):
        outside = entry.framework == "soc2" and entry.category != "security"
        expected = max(before[i] - penalty, 0.0) if outside else before[i]
        assert after[i] == pytest.approx(expected, abs=1e-6), entry.id


def test_a_privacy_criterion_leads_only_in_scope_or_when_asked_about_personal_data(
    standard: Catalogue,
) -> None:
    everything = Searcher(standard, FakeEmbedder())
    security = Searcher(standard, FakeEmbedder(), soc2_categories=["security"])
    plain = "notice to customers about a change"
    assert _rank(everything, plain)[0] == "P1.1"  # privacy in scope: its criterion leads
    assert not _rank(security, plain)[0].startswith("P")  # privacy not in this SOC 2 scope
    assert "P1.1" in _rank(security, plain)[:3]  # stepped back, not hidden
    about_people = "record of disclosures to third parties of personal data"
    assert _rank(security, about_people)[:3] == _rank(everything, about_people)[:3]
    assert _rank(security, about_people)[0].startswith("P6.")


def test_an_out_of_scope_criterion_is_still_found_by_its_id(standard: Catalogue) -> None:
    security = Searcher(standard, FakeEmbedder(), soc2_categories=["security"])
    for cid in ("P6.1", "A1.2", "C1.2", "PI1.4"):
        result = security.search(f"what does {cid} need?")
        assert result.hits[0].entry.id == cid and result.hits[0].via == "id"


def test_subjects_read_personal_data_as_privacy() -> None:
    assert scope.subjects("can I keep personal data on my laptop") == {"privacy"}
    assert scope.subjects("someone asked to see their data under GDPR") == {"privacy"}
    assert scope.subjects("how do I lock my screen") == set()
    masks = scope.out_of_scope(list(load_standard().entries.values()), ["security", "privacy"])
    assert set(masks) == {"availability", "confidentiality", "processing_integrity"}
    assert all(isinstance(m, np.ndarray) and m.any() for m in masks.values())


# --------------------------------------------------------------------------- policy first


def test_a_well_matching_policy_leads_with_the_control_as_citation(
    with_policies: Catalogue,
) -> None:
    searcher = Searcher(with_policies, FakeEmbedder())
    text = "access is granted by role with least privilege and reviewed every quarter"
    answer = compose(searcher.search(text), with_policies, min_score=0.2)
    assert answer.best is not None and answer.best.entry.id == "org.access-control"
    assert answer.citation is not None
    assert answer.citation.entry.id in with_policies.entries["org.access-control"].cites
    assert not answer.close_call  # our rule is the answer, not one option among others
    shown = render_text(answer)
    assert shown.index("Access Control Policy") < shown.index(
        f"Based on: {answer.citation.entry.id}"
    )
    assert [h.entry.id for h in answer.hits][:2] == ["org.access-control", answer.citation.entry.id]
    blocks = answer_blocks(answer, 1)
    assert "Access Control Policy" in blocks[0]["text"]["text"]
    assert any(
        b["type"] == "context"
        and f"Based on *{answer.citation.entry.id}" in b["elements"][0]["text"]
        for b in blocks
    )


def test_a_policy_that_matches_poorly_does_not_lead(with_policies: Catalogue) -> None:
    searcher = Searcher(with_policies, FakeEmbedder())
    answer = compose(
        searcher.search("clock synchronization ntp time source"), with_policies, min_score=0.2
    )
    assert answer.best is not None and answer.best.entry.framework != "org"
    assert answer.citation is None


# --------------------------------------------------------------------------- close calls


def _result(
    standard: Catalogue, scored: list[tuple[str, float]], via: str = "search"
) -> SearchResult:
    hits = [
        Hit(standard.entries[cid], score, via=via if i == 0 else "search")
        for i, (cid, score) in enumerate(scored)
    ]
    return SearchResult(query="q", hits=hits, framework=None)


def test_close_candidates_are_offered_side_by_side(standard: Catalogue) -> None:
    result = _result(
        standard, [("A.7.7", 0.61), ("A.8.1", 0.60), ("A.7.9", 0.595), ("A.5.10", 0.5)]
    )
    answer = compose(result, standard, min_score=0.35)
    assert answer.confident and answer.close_call
    assert [h.entry.id for h in answer.close] == ["A.7.7", "A.8.1", "A.7.9"]
    text = render_text(answer)
    assert text.startswith("Three entries fit your question about equally well")
    for cid in ("A.7.7", "A.8.1", "A.7.9"):
        entry = standard.entries[cid]
        assert f"{cid} {entry.title} (ISO 27001): " in text
    assert "What auditors expect" not in text  # none of them is presented as the answer
    assert "Also related:\n  - A.5.10" in text


def test_a_clear_winner_or_a_named_id_is_no_close_call(standard: Catalogue) -> None:
    clear = compose(_result(standard, [("A.7.7", 0.70), ("A.8.1", 0.60)]), standard, min_score=0.35)
    assert not clear.close_call and "What auditors expect" in render_text(clear)
    named = compose(
        _result(standard, [("A.7.7", 1.0), ("A.8.1", 1.0)], via="id"), standard, min_score=0.35
    )
    assert not named.close_call
    two = compose(
        _result(standard, [("A.7.7", 0.61), ("A.8.1", 0.60), ("A.7.9", 0.5)]),
        standard,
        min_score=0.35,
    )
    assert [h.entry.id for h in two.close] == ["A.7.7", "A.8.1"]
    assert render_text(two).startswith("Two entries fit")


def test_close_call_blocks_put_the_candidates_in_side_by_side_fields(standard: Catalogue) -> None:
    result = _result(standard, [("A.7.7", 0.61), ("A.8.1", 0.60), ("A.5.10", 0.4)])
    blocks = answer_blocks(compose(result, standard, min_score=0.35), 7)
    fields = next(b["fields"] for b in blocks if "fields" in b)
    assert [f["text"].split("*")[1] for f in fields] == [
        "A.7.7 Clear desk and clear screen (ISO 27001)",
        "A.8.1 User endpoint devices (ISO 27001)",
    ]
    assert all(len(f["text"].split("\n", 1)[1]) <= 160 for f in fields)
    assert "equally well" in blocks[0]["text"]["text"]


# --------------------------------------------------------------------------- security terms


@pytest.mark.parametrize(
    "text",
    [
        "is it safe to save passwords in my browser?",
        "how do I send a password-protected file?",
        "got a suspicious email from the bank",
        "should the USB drive be encrypted",
        "what happens if I shred the wrong pile",
    ],
)
def test_a_security_term_keeps_a_short_question_in_scope(text: str) -> None:
    assert mentions_security(text)


@pytest.mark.parametrize(
    "text",
    [
        "where do I park?",
        "is the flu virus going around the office",
        "the fake plant in reception is dusty",
        "book the big meeting room for Tuesday",
        "who approves invoices over 5k from suppliers",
    ],
)
def test_everyday_words_alone_do_not(text: str) -> None:
    assert not mentions_security(text)


def test_a_security_term_is_never_declined(standard: Catalogue) -> None:
    searcher = Searcher(standard, FakeEmbedder())
    result = searcher.search("is it safe to save passwords in my browser?")
    assert result.in_scope
    assert not compose(result, standard, min_score=0.35).declined
