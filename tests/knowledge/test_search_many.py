"""search_many: many questions, one embedding call, the same results as one search() each."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalogue import load_standard
from knowledge.search import EmptyQueryError, Searcher, SearchResult
from tests.fakes import FakeEmbedder

QUESTIONS = [
    "an engineer who moved teams still has the old team's admin rights",
    "acess controll polcy",
    "A.9.2.5",
    "what is the SOC 2 equivalent of A.8.15?",
    "SOC 2 access reviews",
    "how do I bake sourdough bread at home?",
    "what is iso 27001?",
    "access review " * 200,
]


def _same(one: SearchResult, many: SearchResult) -> None:
    assert [h.entry.id for h in many.hits] == [h.entry.id for h in one.hits], one.query
    assert [h.via for h in many.hits] == [h.via for h in one.hits]
    for a, b in zip(one.hits, many.hits, strict=True):
        # A batch pads its texts; the model's float arithmetic may differ in the last digits.
        assert b.score == pytest.approx(a.score, abs=1e-5)
        assert b.dense == pytest.approx(a.dense, abs=1e-5)
        assert b.lexical == pytest.approx(a.lexical, abs=1e-6)
    assert (many.framework, many.truncated, many.named_ids) == (
        one.framework,
        one.truncated,
        one.named_ids,
    )
    assert (many.in_scope, many.corrected, many.query) == (one.in_scope, one.corrected, one.query)


def test_search_many_matches_search_one_by_one(real_searcher: Searcher) -> None:
    for kwargs in ({}, {"k": 3, "framework": "iso27001"}, {"mode": "lexical"}, {"mode": "dense"}):
        many = real_searcher.search_many(QUESTIONS, **kwargs)  # type: ignore[arg-type]
        assert len(many) == len(QUESTIONS)
        for question, result in zip(QUESTIONS, many, strict=True):
            _same(real_searcher.search(question, **kwargs), result)  # type: ignore[arg-type]


def test_search_many_embeds_all_questions_in_one_call(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    searcher = Searcher(load_standard(), embedder, tmp_path)
    before = embedder.calls
    results = searcher.search_many(QUESTIONS)
    assert embedder.calls == before + 1
    assert [r.query for r in results] == QUESTIONS
    assert searcher.search_many([]) == []
    assert embedder.calls == before + 1  # nothing to embed: no call at all


def test_search_many_refuses_an_empty_question_like_search(real_searcher: Searcher) -> None:
    with pytest.raises(EmptyQueryError, match="empty"):
        real_searcher.search_many(["access reviews", "  "])
