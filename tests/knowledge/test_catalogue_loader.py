"""The loader fails precisely on broken catalogue files, and loads organisation content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.catalogue import Catalogue, CatalogueError, load_org, load_standard
from tests.knowledge.catalogue_support import copy_catalogue


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
    directory = copy_catalogue(tmp_path)
    path = directory / "legacy_2013.yaml"
    path.write_text(path.read_text() + new_clauses)
    with pytest.raises(CatalogueError) as info:
        load_standard(directory)
    found = [str(p) for p in info.value.problems]
    assert f"legacy_2013.yaml: {message}" in found, found


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
    directory = copy_catalogue(tmp_path)
    path = directory / "annex_a_8b.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(CatalogueError) as info:
        load_standard(directory)
    found = [str(p) for p in info.value.problems]
    assert any(p.startswith(f"annex_a_8b.yaml: {entry}: ") and message in p for p in found), found


def test_file_that_is_not_yaml_names_the_line(tmp_path: Path) -> None:
    directory = copy_catalogue(tmp_path)
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
    directory = copy_catalogue(tmp_path)
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
    directory = copy_catalogue(tmp_path)
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
    directory = copy_catalogue(tmp_path)
    path = directory / "crosswalk.yaml"
    text = path.read_text()
    assert text.count("\nunmapped: []\n") == 1
    path.write_text(text.replace("\nunmapped: []\n", f"\nunmapped: [{note}]\n"))
    with pytest.raises(CatalogueError) as info:
        load_standard(directory)
    assert f"crosswalk.yaml: {message}" in [str(p) for p in info.value.problems]


def test_legacy_pointing_at_unknown_id_is_an_error(tmp_path: Path) -> None:
    directory = copy_catalogue(tmp_path)
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
