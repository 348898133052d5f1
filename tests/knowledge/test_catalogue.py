"""The catalogue is complete against the fact sheet, internally consistent, and fails precisely."""

from __future__ import annotations

import re
import shutil
import statistics
from pathlib import Path

import pytest

from knowledge import schema
from knowledge.catalogue import CATALOGUE_DIR, Catalogue, CatalogueError, load_org, load_standard
from knowledge.schema import Unmapped
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


@pytest.mark.parametrize(
    ("new_clauses", "message"),
    [
        ('  - id: "6.9"\n    note: "x"\n', "6.9: new clause is not a known ISO 27001 clause"),
        ('  - id: "A.5.7"\n    note: "x"\n', "A.5.7: new clause is not a known ISO 27001 clause"),
        ('  - id: "10.1"\n    note: "x"\n', "10.1: listed as new in 2022 but also as a 2013 ID"),
        ('  - id: "6.3"\n    note: "x"\n', "6.3: duplicate ID"),
        ('  - id: "4.4"\n    note: ""\n', "4.4: note: must not be empty"),
    ],
)
def test_bad_new_clause_rows_are_errors(tmp_path: Path, new_clauses: str, message: str) -> None:
    directory = _copy_catalogue(tmp_path)
    path = directory / "legacy_2013.yaml"
    path.write_text(path.read_text() + new_clauses)
    with pytest.raises(CatalogueError) as info:
        load_standard(directory)
    found = [str(p) for p in info.value.problems]
    assert f"legacy_2013.yaml: {message}" in found, found


def test_every_entry_has_every_field_in_range(catalogue: Catalogue) -> None:
    def sentences(text: str) -> int:
        text = re.sub(r"\b(e\.g|i\.e|etc|vs|approx|incl|Inc|No)\.", r"\1", text)
        return len([s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", text.strip()) if s])

    for entry in catalogue.entries.values():
        assert entry.title and entry.guidance and entry.keywords, entry.id
        assert 2 <= sentences(entry.summary) <= 4, entry.id
        assert 3 <= len(entry.evidence) <= 6, entry.id


def test_crosswalk_covers_every_criterion_and_control(catalogue: Catalogue) -> None:
    paired = {p.soc2 for p in catalogue.pairs} | {p.iso for p in catalogue.pairs}
    for cid in list(facts.soc2()) + list(facts.annex_a()):
        assert (cid in paired) != (cid in catalogue.unmapped), cid
    for pair in catalogue.pairs:
        assert catalogue.entries[pair.soc2].framework == "soc2"
        assert catalogue.entries[pair.iso].framework == "iso27001"


def test_crosswalk_works_in_both_directions(catalogue: Catalogue) -> None:
    iso_side = {link.target for link in catalogue.crosswalk("CC6.1")}
    assert iso_side and all(catalogue.entries[t].framework == "iso27001" for t in iso_side)
    some_iso = sorted(iso_side)[0]
    assert "CC6.1" in {link.target for link in catalogue.crosswalk(some_iso)}


def crosswalk_gaps(cat: Catalogue) -> list[str]:
    """SOC 2 criteria with neither a crosswalk pair nor an unmapped note saying why."""
    paired = cat.pair_counts()
    return [
        e.id for e in cat.by_framework("soc2") if e.id not in paired and e.id not in cat.unmapped
    ]


def crosswalk_report(cat: Catalogue) -> str:
    """Pairs per criterion and per ISO 27001 ID as equivalent/partial/related counts, with totals."""
    counts = cat.pair_counts()

    def line(entry_id: str) -> str:
        c = counts.get(entry_id)
        if c is None:
            return f"  {entry_id:7} -   {'(unmapped)' if entry_id in cat.unmapped else 'NO PAIR'}"
        parts = f"{c['equivalent']}e {c['partial']}p {c['related']}r"
        return f"  {entry_id:7} {sum(c.values()):3} {parts}"

    criteria = [e.id for e in cat.by_framework("soc2")]
    iso = [e.id for e in cat.by_framework("iso27001")]
    per = [sum(counts.get(cid, {}).values()) for cid in criteria]
    head = (
        f"crosswalk: {len(cat.pairs)} pairs; per criterion min {min(per)}, "
        f"median {statistics.median(per):g}, max {max(per)}"
    )
    return "\n".join(
        [head, "per SOC 2 criterion:", *map(line, criteria), "per ISO 27001 ID:", *map(line, iso)]
    )


def test_crosswalk_report_has_no_criterion_without_pair_or_note(catalogue: Catalogue) -> None:
    print(crosswalk_report(catalogue))  # shown with `pytest -s`
    assert crosswalk_gaps(catalogue) == []
    counts = catalogue.pair_counts()
    assert sum(sum(c.values()) for c in counts.values()) == 2 * len(catalogue.pairs)


def test_a_criterion_without_pair_or_note_is_reported(catalogue: Catalogue) -> None:
    kept = [p for p in catalogue.pairs if p.soc2 != "CC3.3"]
    cat = Catalogue(entries=catalogue.entries, pairs=kept, unmapped=dict(catalogue.unmapped))
    assert crosswalk_gaps(cat) == ["CC3.3"]
    assert "CC3.3   -   NO PAIR" in crosswalk_report(cat)
    cat.unmapped["CC3.3"] = Unmapped(id="CC3.3", reason="Fraud risk is assessed in 6.1.2 only.")
    assert crosswalk_gaps(cat) == []
    assert "CC3.3   -   (unmapped)" in crosswalk_report(cat)


@pytest.mark.parametrize(
    ("soc2", "iso"),
    [
        ("CC6.1", "A.8.2"),
        ("CC6.1", "A.5.17"),
        ("CC6.6", "A.8.16"),
        ("CC2.1", "4.3"),
        ("CC2.1", "A.5.12"),
        ("CC5.2", "A.5.15"),
        ("CC5.2", "A.8.32"),
        ("CC8.1", "A.8.32"),
        ("CC4.2", "9.3.3"),
        ("CC5.1", "4.4"),
        ("C1.1", "A.5.32"),
        ("P5.1", "A.5.34"),
        ("P4.3", "A.8.10"),
    ],
)
def test_pairs_a_practitioner_expects_are_present(
    catalogue: Catalogue, soc2: str, iso: str
) -> None:
    assert iso in {link.target for link in catalogue.crosswalk(soc2)}
    assert soc2 in {link.target for link in catalogue.crosswalk(iso)}


def test_privacy_criteria_pair_with_a_5_34_and_point_to_27701(catalogue: Catalogue) -> None:
    privacy = [e.id for e in catalogue.by_framework("soc2") if e.category == "privacy"]
    assert len(privacy) == 18
    for cid in privacy:
        link = next((lk for lk in catalogue.crosswalk(cid) if lk.target == "A.5.34"), None)
        assert link is not None, cid
        assert "27701" in link.rationale, cid


def test_every_pair_has_a_distinct_one_line_rationale(catalogue: Catalogue) -> None:
    seen: set[str] = set()
    for pair in catalogue.pairs:
        label = f"{pair.soc2} <-> {pair.iso}"
        assert "\n" not in pair.rationale and len(pair.rationale) <= 240, label
        assert pair.rationale not in seen, label
        seen.add(pair.rationale)


def test_crosswalk_lists_closest_counterparts_first(catalogue: Catalogue) -> None:
    order = {"equivalent": 0, "partial": 1, "related": 2}
    for entry_id in catalogue.pair_counts():
        ranks = [order[link.strength] for link in catalogue.crosswalk(entry_id)]
        assert ranks == sorted(ranks), entry_id
    assert catalogue.crosswalk("CC8.1")[0].target == "A.8.32"
    assert catalogue.crosswalk("CC6.1")[0].target == "A.5.15"


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


def _copy_catalogue(tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    return target


@pytest.mark.parametrize(
    ("old", "new", "entry", "message"),
    [
        (
            'title: "Clock synchronization"',
            'title: "Clock synchronization"\n    colour: blue',
            "A.8.17",
            "colour: unknown field",
        ),
        ('id: "A.8.18"', 'id: "A.8.17"', "A.8.17", "duplicate ID"),
        ('title: "Clock synchronization"', "", "A.8.17", "title: missing field"),
    ],
)
def test_broken_file_gives_a_precise_error(
    tmp_path: Path, old: str, new: str, entry: str, message: str
) -> None:
    directory = _copy_catalogue(tmp_path)
    path = directory / "annex_a_8b.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(CatalogueError) as info:
        load_standard(directory)
    found = [str(p) for p in info.value.problems]
    assert any(p.startswith(f"annex_a_8b.yaml: {entry}: ") and message in p for p in found), found


def test_file_that_is_not_yaml_names_the_line(tmp_path: Path) -> None:
    directory = _copy_catalogue(tmp_path)
    path = directory / "annex_a_8b.yaml"
    lines = path.read_text().splitlines()
    lines[4] = lines[4] + ' "unclosed'
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CatalogueError) as info:
        load_standard(directory)
    found = [str(p) for p in info.value.problems]
    pattern = r"annex_a_8b\.yaml: .*is not valid YAML \(line \d+\)"
    assert any(re.match(pattern, p) for p in found), found


def test_empty_summary_is_an_error(tmp_path: Path) -> None:
    directory = _copy_catalogue(tmp_path)
    path = directory / "iso_clauses.yaml"
    text = re.sub(r"summary: >-\n(?:      .*\n)+", 'summary: ""\n', path.read_text(), count=1)
    path.write_text(text)
    with pytest.raises(CatalogueError) as info:
        load_standard(directory)
    assert any(
        str(p).startswith("iso_clauses.yaml: 4: summary: must not be empty")
        for p in info.value.problems
    )


def test_crosswalk_pair_to_unknown_id_is_an_error(tmp_path: Path) -> None:
    directory = _copy_catalogue(tmp_path)
    path = directory / "crosswalk.yaml"
    path.write_text(path.read_text() + "")
    text = path.read_text().replace('iso: "A.8.5"', 'iso: "A.8.99"', 1)
    path.write_text(text)
    with pytest.raises(CatalogueError) as info:
        load_standard(directory)
    assert any(
        "crosswalk.yaml" in str(p) and "'A.8.99' is not a known ISO 27001 ID" in str(p)
        for p in info.value.problems
    )


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ('{id: "CC9.9", reason: "x"}', "CC9.9: unmapped note names an unknown ID"),
        ('{id: "CC6.1", reason: "x"}', "CC6.1: listed as unmapped but also has a pair"),
        ('{id: "CC6.1", reason: ""}', "CC6.1: reason: must not be empty"),
    ],
)
def test_bad_unmapped_notes_are_errors(tmp_path: Path, note: str, message: str) -> None:
    directory = _copy_catalogue(tmp_path)
    path = directory / "crosswalk.yaml"
    text = path.read_text()
    assert text.count("\nunmapped: []\n") == 1
    path.write_text(text.replace("\nunmapped: []\n", f"\nunmapped: [{note}]\n"))
    with pytest.raises(CatalogueError) as info:
        load_standard(directory)
    assert f"crosswalk.yaml: {message}" in [str(p) for p in info.value.problems]


def test_legacy_pointing_at_unknown_id_is_an_error(tmp_path: Path) -> None:
    directory = _copy_catalogue(tmp_path)
    path = directory / "legacy_2013.yaml"
    path.write_text(path.read_text().replace('successors: ["A.6.3"]', 'successors: ["A.6.33"]'))
    with pytest.raises(CatalogueError) as info:
        load_standard(directory)
    assert any(
        str(p) == "legacy_2013.yaml: A.7.2.2: successor 'A.6.33' is not a known ID"
        for p in info.value.problems
    )


def test_organisation_content_loads_and_bad_files_are_skipped(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    org = tmp_path / "org"
    org.mkdir()
    (org / "passwords.md").write_text(
        "---\nid: org.password-policy\ntitle: Password policy\nkeywords: [passwords, passphrase]\ncites: [A.5.17]\n---\n"
        "Passwords are at least 14 characters and stored only in the company password manager.\n\n"
        "Use 1Password for every shared credential.\n"
    )
    (org / "broken.md").write_text("no front matter here")
    (org / "controls.yaml").write_text(
        "entries:\n  - id: org.laptops\n    title: Laptop standard\n    summary: Laptops are managed by MDM. Disks are encrypted.\n"
    )
    (org / "bad.yaml").write_text(
        "entries:\n  - id: org.x\n    title: X\n    summary: y\n    cites: [A.99.1]\n"
    )
    cat = load_standard()
    problems = load_org(org, cat)
    assert cat.entries["org.password-policy"].summary.startswith("Passwords are at least 14")
    assert cat.entries["org.password-policy"].guidance.startswith("Use 1Password")
    assert "org.laptops" in cat.entries
    assert "org.x" not in cat.entries
    assert {p.file for p in problems} == {"broken.md", "bad.yaml"}
    assert len(catalogue.entries) < len(cat.entries)


def test_every_standard_entry_has_four_to_eight_staff_questions(catalogue: Catalogue) -> None:
    low, high = schema.QUESTIONS_PER_ENTRY
    off = {
        e.id: len(e.questions)
        for e in catalogue.entries.values()
        if not low <= len(e.questions) <= high
    }
    shown = ", ".join(f"{cid} ({n})" for cid, n in list(off.items())[:12])
    assert not off, f"{len(off)} entries without {low}-{high} questions, e.g. {shown}"


def _with_questions(tmp_path: Path, block: str) -> Path:
    """A catalogue copy where A.8.17 carries the given `questions:` block (others none)."""
    directory = _copy_catalogue(tmp_path)
    path = directory / "annex_a_8b.yaml"
    text = re.sub(r"    questions:\n(?:      - .*\n)+", "", path.read_text())
    head, rest = text.split('id: "A.8.17"', 1)
    keywords, tail = rest.split("    keywords:", 1)
    line, after = tail.split("\n", 1)
    path.write_text(f'{head}id: "A.8.17"{keywords}    keywords:{line}\n{block}{after}')
    return directory


def test_staff_questions_load_in_order(tmp_path: Path) -> None:
    asked = [
        "two servers' logs are minutes apart",
        "the laptop clock is wrong",
        "NTP is blocked",
        "which time source do we trust",
    ]
    block = "    questions:\n" + "".join(f'      - "{q}"\n' for q in asked)
    cat = load_standard(_with_questions(tmp_path, block))
    assert cat.entries["A.8.17"].questions == asked


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ('    questions: ["one", "two"]\n', "questions: needs 4 to 8 items, has 2"),
        (
            "    questions: [" + ", ".join(f'"q{n}"' for n in range(9)) + "]\n",
            "needs 4 to 8 items, has 9",
        ),
        ('    questions: "what time is it"\n', "questions: must be a list of short questions"),
        ('    questions: ["a", "b", "", "d"]\n', "questions: item 3 must be a non-empty string"),
        ('    questions: ["a", "b", 3, "d"]\n', "questions: item 3 must be a non-empty string"),
        ('    questions: ["a", "b", "A", "d"]\n', "questions: item 3 repeats an earlier question"),
        (
            f'    questions: ["a", "b", "c", "{"x" * 201}"]\n',
            "item 4 is longer than 200 characters",
        ),
    ],
)
def test_bad_staff_questions_are_precise_errors(tmp_path: Path, block: str, message: str) -> None:
    with pytest.raises(CatalogueError) as info:
        load_standard(_with_questions(tmp_path, block))
    found = [str(p) for p in info.value.problems]
    assert any(p.startswith("annex_a_8b.yaml: A.8.17: ") and message in p for p in found), found


def test_organisation_content_may_have_a_few_questions_or_none(tmp_path: Path) -> None:
    org = tmp_path / "org"
    org.mkdir()
    (org / "vpn.md").write_text(
        "---\nid: org.vpn\ntitle: VPN\nquestions: [the VPN drops every hour]\n---\nUse the VPN. Always.\n"
    )
    (org / "none.md").write_text("---\nid: org.none\ntitle: None\n---\nNo questions. Fine.\n")
    many = ", ".join(f"q{n}" for n in range(9))
    (org / "many.md").write_text(
        f"---\nid: org.many\ntitle: Many\nquestions: [{many}]\n---\nA. B.\n"
    )
    cat = load_standard()
    problems = load_org(org, cat)
    assert cat.entries["org.vpn"].questions == ["the VPN drops every hour"]
    assert cat.entries["org.none"].questions == []
    assert [str(p) for p in problems] == ["many.md: org.many: questions: at most 8 items"]
