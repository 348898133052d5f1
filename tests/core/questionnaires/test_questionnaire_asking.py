"""Citations by what is asked: logging is not audit, the product before the staff, the section as context."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.questionnaires.asking import about_logging, about_product, query_for, rerank
from knowledge.search import Hit, Searcher
from tests.questionnaire_support import fake_searcher


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    return fake_searcher(tmp_path_factory.mktemp("askindex"))


def _hit(searcher: Searcher, entry_id: str, score: float) -> Hit:
    return Hit(searcher.catalogue.entries[entry_id], score)


def test_audit_records_are_read_as_logging_and_the_section_is_context() -> None:
    assert query_for("Are audit records generated for security events?") == (
        "Are event logging records generated for security events?"
    )
    assert query_for("Are events retained for a year?", "Logging and Monitoring") == (
        "Are events retained for a year? (Logging and Monitoring)"
    )
    assert query_for("Is logging and monitoring in place?", "Logging and Monitoring") == (
        "Is logging and monitoring in place?"
    )
    assert about_logging("Are audit trails kept?") and not about_logging("Describe your audits.")


def test_a_logging_question_ranks_logging_above_internal_audit_and_training(
    searcher: Searcher,
) -> None:
    hits = [
        _hit(searcher, "9.2", 0.7),
        _hit(searcher, "A.6.3", 0.66),
        _hit(searcher, "A.8.15", 0.6),
    ]
    ranked = rerank(hits, "Are audit records generated for security events?")
    assert [h.entry.id for h in ranked][0] == "A.8.15"
    # The same hits for a question about audits keep internal audit first, training last.
    audit = rerank(hits, "Describe your audit management process.")
    assert [h.entry.id for h in audit] == ["9.2", "A.8.15", "A.6.3"]


def test_a_product_question_prefers_service_controls_over_staff_policies(
    searcher: Searcher,
) -> None:
    hits = [
        _hit(searcher, "org.people-security", 0.7),
        _hit(searcher, "A.6.3", 0.68),
        _hit(searcher, "A.8.28", 0.6),
    ]
    question = "Does your application validate input to prevent injection?"
    assert about_product(question) and not about_product("Are staff trained every year?")
    assert rerank(hits, question)[0].entry.id == "A.8.28"
    assert rerank(hits, "Are staff trained every year?") == hits  # nothing to re-rank


def test_the_section_heading_reaches_the_search_of_each_row(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from core.questionnaires.drafting import Drafter, Knowledge

    asked: list[str] = []
    many = searcher.search_many

    def spy(queries: list[str], **kwargs):  # type: ignore[no-untyped-def]
        asked.extend(queries)
        return many(queries, **kwargs)

    drafter = Drafter(searcher, Knowledge((), ()))
    monkeypatch.setattr(drafter.searcher, "search_many", spy)
    drafter.draft_all(["Are they retained?", "Is MFA used?"], None, ["Logging", "Identity"])
    assert asked == ["Are they retained? (Logging)", "Is MFA used? (Identity)"]
