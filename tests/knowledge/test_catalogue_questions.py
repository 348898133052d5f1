"""Staff questions on catalogue entries: every standard entry has its set; bad sets fail precisely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge import schema
from knowledge.catalogue import Catalogue, CatalogueError, load_org, load_standard
from tests.knowledge.catalogue_support import copy_catalogue


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
    directory = copy_catalogue(tmp_path)
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
