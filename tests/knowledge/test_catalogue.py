"""The catalogue is complete against the fact sheet, its fields are in range, and IDs resolve."""

from __future__ import annotations

import re

import pytest

from knowledge.catalogue import Catalogue
from tests import facts


def test_fact_sheet_parses_as_expected() -> None:
    assert len(facts.clauses()) == 41
    assert len(facts.annex_a()) == 93
    assert len(facts.soc2()) == 61
    assert len(facts.legacy()) == 114


def test_every_clause_is_present_with_its_exact_title(catalogue: Catalogue) -> None:
    clauses = {e.id: e for e in catalogue.entries.values() if e.kind == "clause"}
    assert {k: v.title for k, v in clauses.items()} == facts.clauses()


def test_every_annex_a_control_is_present_with_title_theme_and_new_flag(
    catalogue: Catalogue,
) -> None:
    controls = {e.id: e for e in catalogue.entries.values() if e.kind == "annex_a"}
    expected = facts.annex_a()
    assert set(controls) == set(expected)
    themes = {"5": "organizational", "6": "people", "7": "physical", "8": "technological"}
    for cid, (title, new) in expected.items():
        entry = controls[cid]
        assert entry.title == title, cid
        assert entry.new_in_2022 is new, cid
        assert entry.theme == themes[cid.split(".")[1]], cid
    assert sum(1 for e in controls.values() if e.new_in_2022) == 11


def test_every_soc2_criterion_is_present_with_title_category_and_coso(catalogue: Catalogue) -> None:
    criteria = {e.id: e for e in catalogue.entries.values() if e.framework == "soc2"}
    expected = facts.soc2()
    assert set(criteria) == set(expected)
    prefix_category = {
        "CC": "security",
        "A": "availability",
        "C": "confidentiality",
        "PI": "processing_integrity",
        "P": "privacy",
    }
    for cid, (title, coso) in expected.items():
        entry = criteria[cid]
        assert entry.title == title, cid
        assert entry.coso_principle == coso, cid
        assert entry.category == prefix_category[re.match(r"[A-Z]+", cid).group(0)], cid  # type: ignore[union-attr]


def test_all_legacy_ids_resolve_to_their_2022_controls(catalogue: Catalogue) -> None:
    expected = facts.legacy()
    assert set(catalogue.legacy) == set(expected)
    for lid, (title, successors) in expected.items():
        row = catalogue.legacy[lid]
        assert row.title == title
        assert row.successors == successors
        entry, via = catalogue.resolve(lid)
        assert entry is not None and entry.id == successors[0] and via is row


def test_clause_changes_between_editions_are_recorded(catalogue: Catalogue) -> None:
    assert catalogue.clause_changes["10.1"].successors == ["10.2"]
    assert catalogue.clause_changes["10.2"].successors == ["10.1"]
    assert catalogue.clause_changes["9.2"].successors == ["9.2.1", "9.2.2"]


def test_a_clause_new_in_2022_is_not_a_2013_id(catalogue: Catalogue) -> None:
    assert "6.3" not in catalogue.clause_changes and "6.3" not in catalogue.legacy
    assert set(catalogue.new_clauses) == {"6.3"}
    note = catalogue.edition_note("6.3")
    assert note is not None and "new in the 2022 edition" in note
    assert catalogue.edition_note("10.1") == catalogue.clause_changes["10.1"].note
    assert catalogue.edition_note("5.1") is None
    assert catalogue.resolve("clause 6.3") == (catalogue.entries["6.3"], None)


def test_asking_for_a_clause_by_id_shows_its_edition_note(catalogue: Catalogue) -> None:
    from knowledge.answer import compose
    from knowledge.search import Hit, SearchResult

    def note(entry_id: str) -> str | None:
        hit = Hit(catalogue.entries[entry_id], 1.0, via="id")
        return compose(SearchResult(entry_id, [hit], None), catalogue, min_score=0).clause_note

    assert note("6.3") == catalogue.new_clauses["6.3"].note
    assert note("10.2") == catalogue.clause_changes["10.2"].note
    assert note("A.5.15") is None


def test_every_entry_has_every_field_in_range(catalogue: Catalogue) -> None:
    def sentences(text: str) -> int:
        text = re.sub(r"\b(e\.g|i\.e|etc|vs|approx|incl|Inc|No)\.", r"\1", text)
        return len([s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", text.strip()) if s])

    for entry in catalogue.entries.values():
        assert entry.title and entry.guidance and entry.keywords, entry.id
        assert 2 <= sentences(entry.summary) <= 4, entry.id
        assert 3 <= len(entry.evidence) <= 6, entry.id


def test_topics_cover_the_audit_facts(catalogue: Catalogue) -> None:
    topics = {e.id for e in catalogue.entries.values() if e.framework == "topic"}
    for required in (
        "topic.certification-vs-attestation",
        "topic.soc2-type1-vs-type2",
        "topic.surveillance-recertification",
        "topic.iso-mandatory-documents",
        "topic.iso27701-privacy",
        "topic.which-first",
        "topic.iso-stage1-stage2",
    ):
        assert required in topics


@pytest.mark.parametrize("typed", ["a.5.15", "A.5.15", "5.15", "Annex A 5.15", "a 5 15", "A5.15"])
def test_typed_forms_of_an_annex_a_id_resolve(catalogue: Catalogue, typed: str) -> None:
    entry, _ = catalogue.resolve(typed)
    assert entry is not None and entry.id == "A.5.15"


def test_soc2_and_clause_forms_resolve(catalogue: Catalogue) -> None:
    assert catalogue.resolve("cc6.1")[0].id == "CC6.1"  # type: ignore[union-attr]
    assert catalogue.resolve("clause 7.2")[0].id == "7.2"  # type: ignore[union-attr]
    assert catalogue.resolve("a1.2")[0].id == "A1.2"  # type: ignore[union-attr]
    assert catalogue.resolve("topic.which-first")[0].id == "topic.which-first"  # type: ignore[union-attr]
    assert catalogue.resolve("Z.99") == (None, None)
