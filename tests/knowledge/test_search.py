"""Search with the real model: ID resolution, ranking, honesty, odd input; the index cache."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from knowledge.answer import compose, render_text
from knowledge.catalogue import Catalogue, load_standard
from knowledge.search import EmptyQueryError, Searcher
from knowledge.spelling import Speller
from tests.fakes import FakeEmbedder
from tests.paths import BENCHMARKS


def test_every_catalogue_id_resolves_to_itself(
    real_searcher: Searcher, catalogue: Catalogue
) -> None:
    for entry in catalogue.entries.values():
        if entry.framework == "topic":
            continue
        typed = f"clause {entry.id}" if entry.kind == "clause" else entry.id
        hits = real_searcher.resolve_ids(typed)
        assert hits and hits[0].entry.id == entry.id, entry.id


def test_every_legacy_id_resolves_to_its_successor(
    real_searcher: Searcher, catalogue: Catalogue
) -> None:
    for row in catalogue.legacy.values():
        hits = real_searcher.resolve_ids(f"what about {row.id}?")
        assert [h.entry.id for h in hits] == row.successors, row.id
        assert hits[0].legacy is row


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("A.7.2.2", "A.6.3"),
        ("what does clause 7.2 require?", "7.2"),
        ("ntp", "A.8.17"),
        ("what replaced A.9.2.5?", "A.5.18"),
        ("a 5 15", "A.5.15"),
        ("cc6.1", "CC6.1"),
        ("A.12.4.1", "A.8.15"),
    ],
)
def test_named_and_well_known_questions_rank_first(
    real_searcher: Searcher, question: str, first: str
) -> None:
    assert real_searcher.search(question).hits[0].entry.id == first


@pytest.mark.parametrize(
    ("question", "acceptable"),
    [
        ("do contractors need security training?", {"A.6.3", "7.2", "7.3", "CC1.4"}),
        ("pen test requirements", {"A.8.29", "A.8.8", "topic.penetration-testing-expectations"}),
        ("is soc 2 a certification?", {"topic.certification-vs-attestation", "topic.what-is-soc2"}),
        ("difference between type 1 and type 2", {"topic.soc2-type1-vs-type2"}),
        ("do we need MFA for everyone", {"A.8.5", "A.5.17", "CC6.1"}),
        ("how often do we review who has access", {"A.5.18", "CC6.2", "CC6.3", "A.8.2"}),
        ("DLP", {"A.8.12"}),
        ("what is the statement of applicability", {"topic.statement-of-applicability", "6.1.3"}),
        ("backups restore testing", {"A.8.13", "A1.2", "A1.3"}),
        (
            "how long is iso certificate valid, recertification",
            {"topic.surveillance-recertification", "topic.iso-certification-cycle"},
        ),
        ("offboarding leavers access removal", {"A.6.5", "A.5.18", "CC6.2", "A.5.11"}),
        ("data subject access request", {"P5.1", "P5.2", "A.5.34"}),
    ],
)
def test_questions_in_staff_words_find_the_right_entries(
    real_searcher: Searcher, question: str, acceptable: set[str]
) -> None:
    top3 = [h.entry.id for h in real_searcher.search(question, k=3).hits[:3]]
    assert acceptable & set(top3), top3


def test_framework_named_in_question_narrows_results(real_searcher: Searcher) -> None:
    hits = real_searcher.search("SOC 2 access reviews", k=5).hits
    assert all(h.entry.framework in {"soc2", "topic"} for h in hits)
    strict = real_searcher.search("access reviews", k=5, framework="iso27001").hits
    assert all(h.entry.framework == "iso27001" for h in strict)


def test_off_topic_question_is_declined_without_a_control(
    real_searcher: Searcher, catalogue: Catalogue
) -> None:
    result = real_searcher.search("how do I bake sourdough bread at home?")
    answer = compose(result, catalogue, min_score=0.35)
    assert not answer.confident
    assert answer.declined
    text = render_text(answer)
    assert "doesn't look like a question about security" in text
    assert "nearest entries" not in text


def test_weak_in_scope_match_is_answered_honestly(
    real_searcher: Searcher, catalogue: Catalogue
) -> None:
    # In scope, but held to a bar no score reaches: the answer says so and shows the nearest entries.
    result = real_searcher.search("who reviews our firewall rules?")
    answer = compose(result, catalogue, min_score=1.01)
    assert not answer.confident
    assert not answer.declined
    text = render_text(answer)
    assert "don't have a confident answer" in text
    assert "nearest entries" in text


def test_empty_query_is_refused_clearly(real_searcher: Searcher) -> None:
    for empty in ("", "   ", "?!"):
        with pytest.raises(EmptyQueryError, match="empty"):
            real_searcher.search(empty)


def test_very_long_query_is_bounded(real_searcher: Searcher, catalogue: Catalogue) -> None:
    question = "access review " * 800  # about 11,000 characters
    start = time.perf_counter()
    result = real_searcher.search(question)
    assert time.perf_counter() - start < 5  # generous: this is about not hanging, not speed
    assert result.truncated
    assert "first 1,000 characters" in render_text(compose(result, catalogue, min_score=0.35))


@pytest.mark.parametrize(
    "question", ["Wie oft müssen wir Zugriffsrechte prüfen?", "🔐🔑?", "访问控制", "¿qué es SOC 2?"]
)
def test_non_english_and_emoji_do_not_crash(
    real_searcher: Searcher, catalogue: Catalogue, question: str
) -> None:
    result = real_searcher.search(question)
    render_text(compose(result, catalogue, min_score=0.35))


def _small_catalogue() -> Catalogue:
    cat = load_standard()
    keep = {k: v for k, v in cat.entries.items() if k.startswith("A.8.")}
    return Catalogue(entries=keep)


def test_index_is_cached_and_reused(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    first = Searcher(_small_catalogue(), embedder, tmp_path)
    calls = embedder.calls
    assert not first.dense.loaded_from_cache
    second = Searcher(_small_catalogue(), embedder, tmp_path)
    assert second.dense.loaded_from_cache
    assert embedder.calls == calls


def test_changed_content_rebuilds_the_index(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    cat = _small_catalogue()
    Searcher(cat, embedder, tmp_path)
    changed = cat.entries["A.8.17"].model_copy(
        update={"summary": "Different words now. Still two sentences."}
    )
    cat.entries["A.8.17"] = changed
    rebuilt = Searcher(cat, embedder, tmp_path)
    assert not rebuilt.dense.loaded_from_cache
    assert len(list(tmp_path.glob("dense-*.faiss"))) == 1  # the stale one is gone


def test_staff_questions_get_their_own_vectors_and_rebuild_the_index(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    cat = _small_catalogue()
    before = Searcher(cat, embedder, tmp_path).dense.index.ntotal
    before -= len(cat.entries["A.8.17"].questions)  # its own, replaced below
    asked = [
        "two servers disagree about what time it is",
        "log timestamps drift apart by minutes",
        "which time source should laptops trust",
        "the build box clock is an hour off",
    ]
    cat.entries["A.8.17"] = cat.entries["A.8.17"].model_copy(update={"questions": asked})
    searcher = Searcher(cat, embedder, tmp_path)
    assert not searcher.dense.loaded_from_cache
    assert searcher.dense.index.ntotal == before + 4
    rows = [
        k for e, k in zip(searcher.dense.rows, searcher.dense.kinds, strict=True) if e == "A.8.17"
    ]
    assert rows.count("question") == 4 and rows.count("text") == 3
    # The entry scores as its best vector: a staff question matches it exactly.
    hit = searcher.search(asked[1], mode="dense").hits[0]
    assert hit.entry.id == "A.8.17" and hit.dense == pytest.approx(1.0, abs=1e-5)
    assert Searcher(cat, embedder, tmp_path).dense.loaded_from_cache


def test_corrupt_cache_is_rebuilt_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    embedder = FakeEmbedder()
    Searcher(_small_catalogue(), embedder, tmp_path)
    for path in tmp_path.glob("dense-*.faiss"):
        path.write_bytes(b"not a faiss index")
    with caplog.at_level(logging.WARNING):
        searcher = Searcher(_small_catalogue(), embedder, tmp_path)
    assert not searcher.dense.loaded_from_cache
    assert "rebuilding" in caplog.text
    assert searcher.search("clock synchronization ntp").hits


def test_unwritable_cache_dir_still_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING):
        searcher = Searcher(_small_catalogue(), FakeEmbedder(), blocker / "index")
    assert searcher.search("logging").hits
    assert "could not cache" in caplog.text


def _evaluation_set() -> list[dict[str, Any]]:
    import yaml

    path = BENCHMARKS / "eval_questions.yaml"
    return list(yaml.safe_load(path.read_text())["questions"])


def test_a_sample_of_the_evaluation_set_ranks_well(real_searcher: Searcher) -> None:
    questions = [q for q in _evaluation_set() if q["expected"]][::4]  # every 4th in-scope one
    hits = sum(
        1
        for q in questions
        if set(q["expected"]) & {h.entry.id for h in real_searcher.search(q["q"], k=3).hits[:3]}
    )
    assert hits / len(questions) >= 0.9, f"hit@3 {hits}/{len(questions)}"


def _speller(catalogue: Catalogue) -> Speller:
    return Searcher(catalogue, FakeEmbedder()).speller


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("acess controll polcy", "access control policy"),
        ("is there a required methodology for the risk assesment?", "risk assessment?"),
        ("what goes in an incidnet response plan", "incident response plan"),
        ("privilaged acess reveiw", "privileged access review"),
        ("secuirty awarness trainng", "security awareness training"),
        ("interrested parties list", "interested parties list"),  # not inter + rested
    ],
)
def test_typos_are_repaired_against_the_catalogue(
    catalogue: Catalogue, typed: str, meant: str
) -> None:
    fixed, changes = _speller(catalogue).correct(typed)
    assert fixed.endswith(meant) and changes


@pytest.mark.parametrize(
    "typed",
    [
        "A.5.15 and CC6.1",
        "clause 7.2 and 9.3.2",
        "A.12.4.1 became what?",
        "MFA, SSO, DPA, SOC 2, SIEM, DLP, NTP, SoA",
        "HIPAA BYOD",
        "do macs need antivirus?",
        "where do I park?",
        "lunch in the canteen",
        "the helpdesk testuser account",  # two known words run together
    ],
)
def test_ids_acronyms_and_real_words_are_left_as_typed(catalogue: Catalogue, typed: str) -> None:
    assert _speller(catalogue).correct(typed) == (typed, [])


def test_typo_repair_finds_the_entry_a_typo_would_miss(catalogue: Catalogue) -> None:
    searcher = Searcher(catalogue, FakeEmbedder())
    result = searcher.search("clcok synchronisaton", mode="lexical")
    assert result.corrected == "clock synchronisation"
    assert result.hits[0].entry.id == "A.8.17"


def test_parent_clauses_do_not_outrank_their_sub_clauses(catalogue: Catalogue) -> None:
    searcher = Searcher(catalogue, FakeEmbedder())
    for words in ("requirements", "policy", "documented", "context of the organization"):
        ranked = [h.entry.id for h in searcher.rank(words)]
        for parent in ("4", "5", "6", "7", "8", "9", "10"):
            children = [cid for cid in ranked if cid.startswith(parent + ".")]
            assert ranked.index(parent) > ranked.index(children[0]), (words, parent)


OFF_TOPIC = [
    "where do I park?",
    "can I expense my train ticket to the offsite?",
    "how many days of annual leave do I have left",
    "is it going to rain tomorrow",
    "tell me a joke",
    "book the big meeting room for Tuesday at 3",
    "what's for lunch in the canteen today",
    "how do I bake sourdough bread at home?",
]


def test_a_declined_question_gets_what_the_bot_can_help_with(catalogue: Catalogue) -> None:
    searcher = Searcher(catalogue, FakeEmbedder())
    result = searcher.search("where do I park?")
    result.in_scope = False  # as the scope signal decides for this one with the real model
    answer = compose(result, catalogue, min_score=0.35)
    assert not answer.confident and answer.declined
    assert answer.best is None and answer.hits == []  # no control offered
    text = render_text(answer)
    assert "I can help with ISO 27001" in text and "knowledge gap" not in text


@pytest.mark.model
def test_questions_that_are_not_ours_are_declined(
    real_searcher: Searcher, catalogue: Catalogue
) -> None:
    # The scope signal is a tuned threshold, not a list: most, not all, are declined.
    answers = [compose(real_searcher.search(q), catalogue, min_score=0.35) for q in OFF_TOPIC]
    declined = [a.query for a in answers if a.declined]
    assert len(declined) >= 0.75 * len(OFF_TOPIC), [a.query for a in answers if not a.declined]
    assert all(not a.confident and a.hits == [] for a in answers if a.declined)


@pytest.mark.model
@pytest.mark.parametrize(
    "question",
    [
        "the office door badge reader lets anyone in",  # offices, but physical security
        "someone left their laptop unlocked at the meeting room",
        "can I expense a hardware security key?",
        "a leaver still has access to the payroll system",
        "ntp",
        "A.5.15",
    ],
)
def test_security_questions_near_office_life_are_answered(
    real_searcher: Searcher, catalogue: Catalogue, question: str
) -> None:
    answer = compose(real_searcher.search(question), catalogue, min_score=0.35)
    assert answer.confident and not answer.declined, question


@pytest.mark.model
@pytest.mark.parametrize(("batch", "most_missed"), [(1, 0.10), (2, 0.25)])
def test_a_sample_of_situational_questions_ranks_well(
    real_searcher: Searcher, batch: int, most_missed: float
) -> None:
    # Batch 2 was written by people who had seen neither the set nor the situations: harder.
    situational = [
        q
        for q in _evaluation_set()
        if "situational" in q.get("tags", []) and ("batch2" in q["tags"]) == (batch == 2)
    ][::3]
    misses = [
        q["q"]
        for q in situational
        if not set(q["expected"]) & {h.entry.id for h in real_searcher.search(q["q"], k=3).hits}
    ]
    assert situational and len(misses) <= most_missed * len(situational), misses


@pytest.mark.model
def test_off_topic_questions_of_the_evaluation_set_are_mostly_declined(
    real_searcher: Searcher, catalogue: Catalogue
) -> None:
    off = [q["q"] for q in _evaluation_set() if not q["expected"]]
    if not off:
        pytest.skip("the evaluation set has no off-topic questions yet")
    answered = [
        q for q in off if compose(real_searcher.search(q), catalogue, min_score=0.35).confident
    ]
    assert len(answered) <= 0.15 * len(off), answered


@pytest.mark.model
def test_a_sample_of_how_to_questions_ranks_well_with_the_real_model(
    catalogue: Catalogue, real_embedder: Any, shared_index_dir: Path
) -> None:
    # The tune split only (held-back questions are never asserted on one by one), in the bot's
    # default SOC 2 scope. Bounds sit below the tune split's figures (hit@3 0.85, 7% declined).
    searcher = Searcher(catalogue, real_embedder, shared_index_dir, soc2_categories=["security"])
    rows = [q for q in _evaluation_set() if "howto" in q["tags"] and q.get("split") != "heldout"]
    sample = rows[::3]
    results = searcher.search_many([q["q"] for q in sample], k=3)
    hit3 = sum(
        bool(set(q["expected"]) & {h.entry.id for h in r.hits[:3]})
        for q, r in zip(sample, results, strict=True)
    )
    declined = sum(not r.in_scope for r in results)
    assert len(sample) >= 25
    assert hit3 / len(sample) >= 0.75, f"how-to hit@3 {hit3}/{len(sample)}"
    assert declined / len(sample) <= 0.12, f"how-to declined {declined}/{len(sample)}"
