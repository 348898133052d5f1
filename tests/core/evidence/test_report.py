"""The auditor's report: pages that parse, links that resolve, and numbers that match the database."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from bot.cli import app
from core import ledger
from core.campaigns import service as campaigns
from core.config import Settings
from core.db import Database
from core.evidence.report import ReadinessScope
from core.models import CampaignRecipient, LedgerRecord, Question, Submission
from core.readiness import readiness
from knowledge.answer import Answer
from knowledge.catalogue import Catalogue
from knowledge.search import Hit
from tests.core.evidence.domains_support import add_domains
from tests.core.evidence.support import (
    add_campaign,
    cli_env,
    csv_rows,
    export_zip,
    hand_in_two,
    import_example_register,
    off_topic,
    record_answer,
)
from tests.html_support import broken_links, linked_from, read_pages

runner = CliRunner()


@pytest.fixture
def audited(database_url: str, catalogue: Catalogue, settings: Settings) -> Database:
    """The example register, AC-01 accepted with a file, HR-01 waiting, a campaign, two answers."""
    db = Database(database_url)
    import_example_register(db, catalogue)
    with db.session_scope() as session:
        hand_in_two(
            session,
            settings,
            text="Q4 access review <signed>",
            comment="complete",
            link="javascript:alert(1)",
        )
        campaign = add_campaign(session, "Security awareness", ("U1", "U2"))
        campaigns.acknowledge(campaign.id, "U1", db_session=session)
    hit = Hit(catalogue.entries["A.5.18"], 0.8)
    answer = Answer("who reviews access?", True, hit)
    record_answer(db, answer, user_id="UALICE", surface="slack_dm", channel="D1")
    record_answer(db, off_topic("lunch <menu>?"), user_id="UBOB", surface="cli")
    return db


def _export(
    db: Database, catalogue: Catalogue, settings: Settings, out: Path, **options: Any
) -> zipfile.ZipFile:
    return export_zip(db, catalogue, out, scope=ReadinessScope.of(catalogue, settings), **options)


@pytest.mark.parametrize("domains", [False, True], ids=["evidence", "every-register"])
def test_every_page_parses_and_every_link_resolves_to_a_file_in_the_zip(
    audited: Database, catalogue: Catalogue, settings: Settings, tmp_path: Path, domains: bool
) -> None:
    if domains:  # access reviews, an incident, risks and suppliers add pages of their own
        add_domains(audited, catalogue)
    archive = _export(audited, catalogue, settings, tmp_path / "a.zip")
    names = set(archive.namelist())
    pages = read_pages(archive)
    assert {"index.html", "evidence.html", "acknowledgements.html", "questions.html"} <= set(pages)
    if domains:
        assert {"incidents/INC-1.html", "risks/index.html", "suppliers/index.html"} <= set(pages)
        assert any(n.startswith("access_reviews/review-") for n in pages)
    assert {n for n, p in pages.items() if p.problems} == set(), {
        n: p.problems for n, p in pages.items() if p.problems
    }
    assert broken_links(pages, names) == []
    # No JavaScript anywhere, and no recorded value turned into markup or a live link.
    assert all("script" not in p.tags and not p.event_attributes for p in pages.values())
    assert not any("javascript:" in link for p in pages.values() for link in p.links)
    summary = linked_from(pages["index.html"])
    assert set(pages) - {"index.html"} <= summary, "every page is linked from the summary"
    assert {n for n in names if n.startswith("files/") or n.endswith((".csv", ".json"))} <= summary
    manifest = json.loads(archive.read("manifest.json"))
    assert set(manifest["files"]) == names - {"manifest.json"}


def test_summary_shows_plain_dates_the_verified_ledger_and_readiness_from_the_service(
    audited: Database, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2099, 12, 31, 23, 59, tzinfo=UTC)
    archive = _export(audited, catalogue, settings, tmp_path / "a.zip", start=start, end=end)
    summary = read_pages(archive)["index.html"].plain
    assert "2026-01-01 to 2099-12-31" in summary and "{'from'" not in summary
    with audited.session_scope() as session:
        seq, head = ledger.head(db_session=session)
        records = ledger.count(db_session=session)
        measured = readiness(
            db_session=session,
            catalogue=catalogue,
            soc2_categories=settings.soc2_categories,
            zone=settings.zone,
        )
    assert head in summary and f"Head record {seq}" in summary
    assert f"all {records} records are intact and in order (2 of them are answers" in summary
    for fw in measured.frameworks:
        applicable = fw.tally.total - fw.tally.counts["not_applicable"]
        assert f"{fw.title} — {fw.tally.counts['current']} of {applicable} applicable" in summary
    assert "Security awareness" in summary and "50%" in summary  # one of two acknowledged


def test_chart_segments_add_up_to_the_readiness_counts(
    audited: Database, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
    archive = _export(audited, catalogue, settings, tmp_path / "a.zip", framework="iso27001")
    page = archive.read("index.html").decode()
    with audited.session_scope() as session:
        measured = readiness(
            db_session=session,
            catalogue=catalogue,
            soc2_categories=settings.soc2_categories,
            zone=settings.zone,
            framework="iso27001",
        )
    [fw] = measured.frameworks
    for group in fw.groups:
        shown = re.findall(rf"<title>{re.escape(group.title)}: (\d+) ([a-z ()]+)</title>", page)
        assert sum(int(n) for n, _ in shown) == group.total, group.title
    assert "<svg" in page and "SOC 2 —" not in page


def test_requirement_page_shows_controls_and_each_evidence_item(
    audited: Database, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
    archive = _export(audited, catalogue, settings, tmp_path / "a.zip")
    pages = read_pages(archive)
    a518 = pages["requirements/A.5.18.html"]
    with audited.session_scope() as session:
        item = session.scalars(select(Submission).where(Submission.file_name == "review.pdf")).one()
        sha = item.file_sha256
    text = a518.plain
    assert "A.5.18 Access rights" in text and "AC-01 Quarterly access review" in text
    assert "Current" in text and "2026-10-01" in text  # status and the owner's effective date
    assert "UALICE" in text and "by USEC1" in text and "complete" in text
    assert "Q4 access review <signed>" in text  # shown as recorded, escaped in the source
    assert "&lt;signed&gt;" in archive.read("requirements/A.5.18.html").decode()
    assert f"../files/{sha[:16]}_review.pdf" in a518.links
    gap = pages["requirements/A.8.23.html"].plain
    assert "Gap (no control)" in gap and "No control in the register implements" in gap
    excluded = pages["requirements/A.7.1.html"].plain
    assert "Not applicable" in excluded and "cloud" in excluded


def test_tables_match_the_database(
    audited: Database, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
    archive = _export(audited, catalogue, settings, tmp_path / "a.zip")
    pages = read_pages(archive)
    with audited.session_scope() as session:
        submissions = session.scalar(select(func.count(Submission.id)))
        questions = list(session.scalars(select(Question).order_by(Question.id)))
        acks = session.scalar(
            select(func.count(CampaignRecipient.id)).where(
                CampaignRecipient.acknowledged_at.is_not(None)
            )
        )
    assert pages["evidence.html"].rows() == submissions == 2
    assert pages["acknowledgements.html"].rows() == acks == 1
    assert pages["questions.html"].rows() == len(questions) == 2
    assert "javascript:alert(1)" in pages["evidence.html"].plain  # the link, as text
    assert "lunch <menu>?" in pages["questions.html"].plain
    cards = pages["index.html"].plain
    assert "2 evidence items" in cards and "2 questions answered" in cards
    assert "1 files" in cards and "1 acknowledgements" in cards


def test_questions_csv_carries_each_answers_ledger_record(
    audited: Database, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
    archive = _export(audited, catalogue, settings, tmp_path / "a.zip")
    rows = csv_rows(archive, "questions.csv")
    with audited.session_scope() as session:
        for row in rows:
            record = session.get(LedgerRecord, int(row["ledger_seq"]))
            assert record is not None and record.kind == ledger.ANSWER
            assert json.loads(record.payload)["text"] == row["question"]
    assert len(rows) == 2
    shown = read_pages(archive)["questions.html"].plain
    assert all(row["ledger_seq"] in shown for row in rows)


def test_a_tampered_ledger_is_reported_as_failed(
    audited: Database, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
    with audited.engine.begin() as conn:
        conn.execute(text("UPDATE ledger SET payload = replace(payload, 'UALICE', 'UX')"))
    summary = read_pages(_export(audited, catalogue, settings, tmp_path / "a.zip"))["index.html"]
    assert "Chain verification FAILED: record" in summary.plain and "was altered" in summary.plain


def test_without_readiness_or_register_the_report_says_so_and_still_links_everything(
    database_url: str, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
    db = Database(database_url)
    record_answer(db, Answer("anything?", False, None), user_id="U1", surface="console")
    archive = _export(db, catalogue, settings, tmp_path / "a.zip")
    pages = read_pages(archive)
    assert "The control register is empty" in pages["index.html"].plain
    assert "register import" in pages["index.html"].plain
    assert broken_links(pages, set(archive.namelist())) == []
    assert not any(n.startswith("requirements/") for n in pages)


def test_cli_export_report_measures_readiness(
    audited: Database, database_url: str, shared_index_dir: Path, tmp_path: Path
) -> None:
    env = cli_env(database_url, shared_index_dir)
    result = runner.invoke(app, ["export", "--out", str(tmp_path / "a.zip")], env=env)
    assert result.exit_code == 0, result.output
    summary = read_pages(zipfile.ZipFile(tmp_path / "a.zip"))["index.html"].plain
    assert "applicable requirements current" in summary and "Chain verified" in summary
