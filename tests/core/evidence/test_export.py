"""The auditor export matches the database; the SoA lists all 93 controls."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from core import ledger
from core.campaigns import service as campaigns
from core.config import Settings
from core.db import Database
from core.evidence.export import ExportEmptyError, build_export, soa_rows
from core.evidence.service import EvidenceError, FileUpload, submit
from core.models import OrgControl, Submission
from core.requirements import requirements
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import add_campaign, csv_rows, export_zip


def test_export_zip_matches_the_database(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    out = tmp_path / "audit.zip"
    with filled.session_scope() as session:
        manifest = build_export(out, db_session=session, requirements=requirements(catalogue))
        head = ledger.head(db_session=session)
        submissions = list(session.scalars(select(Submission).order_by(Submission.id)))
    archive = zipfile.ZipFile(out)
    names = set(archive.namelist())
    assert {
        "manifest.json",
        "controls.csv",
        "evidence.csv",
        "acknowledgements.csv",
        "index.html",
    } <= names
    stored = json.loads(archive.read("manifest.json"))
    assert stored["ledger_head"] == {"seq": head[0], "hash": head[1]} == manifest["ledger_head"]
    assert stored["counts"]["submissions"] == 2 and stored["counts"]["files"] == 1
    for name, digest in stored["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    evidence = csv_rows(archive, "evidence.csv")
    assert [int(r["submission_id"]) for r in evidence] == [s.id for s in submissions]
    assert evidence[0]["control_id"] == "AC-01" and evidence[0]["request_status"] == "accepted"
    assert (
        evidence[0]["effective_date"] == "2026-10-01" and evidence[0]["file_name"] == "review.pdf"
    )
    file_name = [n for n in names if n.startswith("files/")][0]
    assert archive.read(file_name) == b"%PDF signed"
    controls = csv_rows(archive, "controls.csv")
    assert {"A.5.18", "CC6.2", "A.6.3"} <= {r["requirement_id"] for r in controls}
    # The report is several pages: index.html and the pages it links to.
    page = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".html"))
    assert head[1] in archive.read("index.html").decode()
    assert "AC-01" in page and "review.pdf" in page


def test_acknowledgements_export_counts_failed_quiz_attempts(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    with filled.session_scope() as session:
        quiz = {
            "pass_mark": 1.0,
            "questions": [{"question": "Q", "choices": ["a", "b"], "answer": 0}],
        }
        campaign = add_campaign(session, "Phishing 2027", ("U1", "U2"), quiz=quiz)
        for user in ("U1", "U1", "U2"):
            campaigns.record_quiz_failure(campaign, user, 0.0, db_session=session)
        campaigns.acknowledge(campaign.id, "U1", db_session=session, score=1.0)
        campaigns.acknowledge(campaign.id, "U2", db_session=session, score=1.0)
    rows = csv_rows(export_zip(filled, catalogue, tmp_path / "a.zip"), "acknowledgements.csv")
    assert {r["user_id"]: r["failed_quiz_attempts"] for r in rows} == {"U1": "2", "U2": "1"}


def test_export_filters_by_framework(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    archive = export_zip(filled, catalogue, tmp_path / "soc2.zip", framework="soc2")
    controls = csv_rows(archive, "controls.csv")
    assert controls and all(r["framework"] == "soc2" for r in controls)


def test_export_range_with_no_data_says_so(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    out = tmp_path / "empty.zip"
    with (
        filled.session_scope() as session,
        pytest.raises(ExportEmptyError, match="nothing exported"),
    ):
        build_export(
            out,
            db_session=session,
            requirements=requirements(catalogue),
            start=datetime(2020, 1, 1, tzinfo=UTC),
            end=datetime(2020, 12, 31, tzinfo=UTC),
        )
    assert not out.exists()


def test_soa_lists_all_93_controls(filled: Database, catalogue: Catalogue) -> None:
    annex = [
        r for r in requirements(catalogue).values() if catalogue.entries[r.id].kind == "annex_a"
    ]
    with filled.session_scope() as session:
        rows = {r[0]: r for r in soa_rows(db_session=session, annex_a=annex)}
    assert len(rows) == 93
    assert (
        rows["A.5.18"][2] == "yes"
        and "AC-01" in rows["A.5.18"][4]
        and "accepted" in rows["A.5.18"][5]
    )
    assert rows["A.7.1"][2] == "no" and "cloud" in rows["A.7.1"][3]
    assert rows["A.8.23"][2] == "not assessed"


def test_empty_submission_and_future_date_are_refused(filled: Database, settings: Settings) -> None:
    with filled.session_scope() as session:
        controls = list(session.scalars(select(OrgControl).where(OrgControl.ref == "AC-02")))
        hand_in = partial(
            submit,
            controls,
            db_session=session,
            submitted_by="U",
            zone=settings.zone,
            max_bytes=10,
        )
        with pytest.raises(EvidenceError, match="The submission is empty"):
            hand_in(text="  ")
        with pytest.raises(EvidenceError, match="in the future"):
            hand_in(text="x", effective=date(2999, 1, 1))
        with pytest.raises(EvidenceError, match="the limit is 10 bytes"):
            hand_in(upload=FileUpload("a", b"x" * 11))


def test_the_report_shows_the_range_and_due_days_of_the_organisations_zone(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    from zoneinfo import ZoneInfo

    from sqlalchemy import update

    from bot.dates import day_range
    from core.models import EvidenceRequest

    los_angeles = ZoneInfo("America/Los_Angeles")
    with filled.session_scope() as session:
        # The end of 2026 in Los Angeles is 07:59 UTC on 1 January 2027.
        session.execute(
            update(EvidenceRequest).values(due_at=datetime(2027, 1, 1, 7, 59, 59, tzinfo=UTC))
        )
    start, end = day_range("2020-01-01", "2030-12-31", zone=los_angeles)
    archive = export_zip(
        filled, catalogue, tmp_path / "la.zip", start=start, end=end, zone=los_angeles
    )
    index = archive.read("index.html").decode()
    assert "Range: 2020-01-01 to 2030-12-31 (America/Los_Angeles)" in index
    controls = archive.read("controls.html").decode()
    assert "due 2026-12-31" in controls and "due 2027-01-01" not in controls
    with (
        filled.session_scope() as session,
        pytest.raises(ExportEmptyError) as empty,
    ):
        first, last = day_range("2021-03-01", "2021-03-31", zone=los_angeles)
        build_export(
            tmp_path / "none.zip",
            db_session=session,
            requirements=requirements(catalogue),
            start=first,
            end=last,
            zone=los_angeles,
        )
    assert "between 2021-03-01 and 2021-03-31 (America/Los_Angeles)" in str(empty.value)
