"""Answering questionnaires end to end: library first, then register and policies, else needs_review."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from core.db import Database
from core.questionnaires.drafting import Thresholds
from core.questionnaires.service import answer_questionnaire
from knowledge.search import Searcher
from tests.questionnaire_support import (
    ADDED,
    accept_evidence,
    fake_searcher,
    import_examples,
    xlsx,
)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    return fake_searcher(tmp_path_factory.mktemp("qindex"))


@pytest.fixture
def db(database_url: str, searcher: Searcher) -> Database:
    db = Database(database_url)
    import_examples(db, searcher.catalogue)
    return db


def _answer(db: Database, searcher: Searcher, name: str, content: bytes, **kwargs):  # type: ignore[no-untyped-def]
    with db.session_scope() as session:
        return answer_questionnaire(
            name, content, db_session=session, searcher=searcher, zone=UTC, **kwargs
        )


def test_xlsx_answered_from_library_register_and_policy_with_original_cells_intact(
    db: Database, searcher: Searcher
) -> None:
    accept_evidence(db, "AC-01", datetime(2026, 10, 2, 12, tzinfo=UTC))
    content = xlsx(
        [
            ["Acme security review"],
            ["ID", "Question", "Customer note"],
            ["Q1", "do you have a SOC 2 report", "needed for renewal"],
            ["Q2", "How often are access rights reviewed?", 7],
            ["Q3", "Describe your incident response process.", None],
        ]
    )
    answered = _answer(db, searcher, "acme.xlsx", content)
    by_row = {r.row: r for r in answered.rows}
    library, register, policy = by_row[3].draft, by_row[4].draft, by_row[5].draft
    assert library.status == "approved" and library.answer.startswith(
        "We are preparing for a SOC 2 Type 2"
    )
    assert library.sources[0].kind == "library" and ("CC1.1", "catalogue") in [
        (s.id, s.kind) for s in library.sources
    ]
    assert register.status == "suggested"
    assert (
        "AC-01 Quarterly access review: performed every quarter, owned by alice@example.com; evidence last accepted on 2026-10-02."
        in register.answer
    )
    assert ("AC-01", "control") in [(s.id, s.kind) for s in register.sources]
    assert policy.status == "suggested" and policy.answer.startswith(
        "Our Incident Response Policy (org.incident-response):"
    )
    assert ("org.incident-response", "policy") in [(s.id, s.kind) for s in policy.sources]
    assert answered.counts() == {"approved": 1, "suggested": 2, "needs_review": 0}
    book = load_workbook(io.BytesIO(answered.content))
    sheet = book["Questions"]
    assert sheet["A1"].value == "Acme security review"
    assert [c.value for c in sheet[2]] == ["ID", "Question", "Customer note", *ADDED]
    assert [c.value for c in sheet[3]][:3] == [
        "Q1",
        "do you have a SOC 2 report",
        "needed for renewal",
    ]
    assert (
        sheet["C4"].value == 7
        and sheet["E3"].value == "approved"
        and sheet["E4"].value == "suggested"
    )
    assert (
        sheet["D5"].value == policy.answer and "org.incident-response (policy)" in sheet["G5"].value
    )
    assert [c.value for c in book["Cover"][1]] == ["Prepared for", "Example Customer"]


def test_a_control_without_accepted_evidence_is_not_presented_as_operating(
    db: Database, searcher: Searcher
) -> None:
    answered = _answer(db, searcher, "q.csv", b"Question\nHow often are access rights reviewed?\n")
    answer = answered.rows[0].draft.answer
    assert "AC-01 Quarterly access review: in our control register, planned every quarter" in answer
    assert "not presented here as operating" in answer and "performed" not in answer


def test_a_control_excluded_in_the_register_is_answered_with_its_justification(
    db: Database, searcher: Searcher
) -> None:
    answered = _answer(
        db, searcher, "q.csv", b"Question\nDo you have physical security at your data center?\n"
    )
    assert (
        "PH-01 Data centre physical security: not applicable to us. Fully cloud hosted"
        in answered.rows[0].draft.answer
    )


def test_nothing_scoring_well_needs_review_with_the_nearest_sources(
    db: Database, searcher: Searcher
) -> None:
    strict = Thresholds(requirement=0.99, policy=0.99)
    answered = _answer(
        db,
        searcher,
        "q.csv",
        b"Question\nHow often are access rights reviewed?\n",
        thresholds=strict,
    )
    draft = answered.rows[0].draft
    assert draft.status == "needs_review" and draft.answer == ""
    assert draft.sources and 0 < draft.confidence < 1


def test_duplicate_questions_are_answered_once_and_reused(
    db: Database, searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []  # every question searched, one at a time or in a batch
    one, many = searcher.search, searcher.search_many

    def counting(query: str, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(query)
        return one(query, **kwargs)

    def counting_many(queries: list[str], **kwargs):  # type: ignore[no-untyped-def]
        calls.extend(queries)
        return many(queries, **kwargs)

    monkeypatch.setattr(searcher, "search", counting)
    monkeypatch.setattr(searcher, "search_many", counting_many)
    content = b"Question\nAre backups tested?\nAre  backups tested\nARE BACKUPS TESTED?\nDo you encrypt data at rest?\n"
    answered = _answer(db, searcher, "q.csv", content)
    assert len(answered.rows) == 4 and len(calls) == 2
    assert answered.rows[0].draft == answered.rows[1].draft == answered.rows[2].draft


def test_ten_thousand_rows_are_answered_with_progress_repeats_drafted_once(
    db: Database, searcher: Searcher
) -> None:
    topics = [
        "backups tested",
        "data encrypted at rest",
        "access rights reviewed",
        "incidents handled",
        "staff trained",
    ]
    lines = ["Question,Section"] + [
        f"Are {topics[n % 5]} in team {n % 500}?,S{n % 7}" for n in range(10_000)
    ]
    seen: list[tuple[int, int]] = []
    answered = _answer(
        db,
        searcher,
        "big.csv",
        "\n".join(lines).encode(),
        progress=lambda d, t: seen.append((d, t)),
    )
    assert len(answered.rows) == 10_000 and seen[-1] == (10_000, 10_000) and len(seen) == 10_000
    out = answered.content.decode("utf-8-sig").splitlines()
    assert len(out) == 10_001 and out[0] == "Question,Section,Answer,Status,Confidence,Sources"
    assert out[1].startswith("Are backups tested in team 0?,S0,")
    assert out[501].split(",S")[1][1:] == out[1].split(",S")[1][1:]  # a repeat, answered the same


def test_a_policy_citing_the_best_requirement_is_quoted_when_no_policy_matches_directly(
    db: Database, searcher: Searcher
) -> None:
    answered = _answer(
        db,
        searcher,
        "q.csv",
        b"Question\nHow often are access rights reviewed?\n",
        thresholds=Thresholds(policy=0.99),
    )
    draft = answered.rows[0].draft
    assert draft.status == "suggested" and draft.answer.startswith(
        "Our Access Control Policy (org.access-control):"
    )


def test_a_near_library_answer_is_suggested_when_nothing_else_drafts_it(
    db: Database, searcher: Searcher
) -> None:
    near = Thresholds(library=0.999, library_suggestion=0.5, requirement=0.99, policy=0.99)
    answered = _answer(
        db, searcher, "q.csv", b"Question\nDo you carry cyber insurance?\n", thresholds=near
    )
    draft = answered.rows[0].draft
    assert draft.status == "suggested" and draft.answer.startswith(
        "Yes, we hold cyber liability insurance"
    )
    assert draft.sources[0].kind == "library" and draft.library_id is None


def test_a_register_owner_role_is_what_a_customer_reads_not_the_owners_email(
    database_url: str, searcher: Searcher, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from core.evidence.register import import_rows, load_register

    register = tmp_path / "register.csv"
    register.write_text(
        "id,title,requirements,owner,cadence,owner_role\n"
        'AC-01,Quarterly access review,"A.5.18, CC6.2",alice@example.com,quarterly,Head of IT\n',
        encoding="utf-8",
    )
    db = Database(database_url)
    with db.session_scope() as session:
        import_rows(
            load_register(register, catalogue=searcher.catalogue), db_session=session, actor="t"
        )
    content = xlsx([["Question"], ["How often are access rights reviewed?"]])
    draft = _answer(db, searcher, "acme.xlsx", content).rows[0].draft
    assert "owned by Head of IT" in draft.answer and "alice@example.com" not in draft.answer


def test_an_overlong_owner_role_is_refused_with_its_line(searcher: Searcher, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from core.evidence.register import RegisterImportError, load_register

    register = tmp_path / "register.csv"
    register.write_text(
        "id,title,requirements,owner,cadence,owner_role\n"
        f"AC-01,Access review,A.5.18,alice@example.com,quarterly,{'x' * 201}\n",
        encoding="utf-8",
    )
    with pytest.raises(RegisterImportError, match="line 2.*owner_role is longer than 200"):
        load_register(register, catalogue=searcher.catalogue)
